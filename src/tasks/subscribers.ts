// Live SSE subscribers of one task: replay-then-follow streams, pings every 10 s, and a
// subscriber that goes away only detaches (the task keeps running).
import { eventFrame, PING_FRAME } from "../lib/sse";
import type { LoggedEvent } from "./types";

const PING_INTERVAL_MS = 10_000;

interface Subscriber {
  controller: ReadableStreamDefaultController<Uint8Array>;
}

export class Subscribers {
  private readonly live = new Set<Subscriber>();
  private pinger: ReturnType<typeof setInterval> | null = null;

  get count(): number {
    return this.live.size;
  }

  /** A stream that first replays `backlog`, then follows live events; closed at once when `ended`. */
  open(backlog: LoggedEvent[], ended: boolean): ReadableStream<Uint8Array> {
    let subscriber: Subscriber | undefined;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const { seq, event } of backlog) controller.enqueue(eventFrame(seq, event));
        if (ended) {
          controller.close();
          return;
        }
        subscriber = { controller };
        this.live.add(subscriber);
        this.ensurePinger();
      },
      cancel: () => {
        if (subscriber) this.detach(subscriber);
      },
    });
  }

  publish(logged: LoggedEvent): void {
    const frame = eventFrame(logged.seq, logged.event);
    for (const subscriber of this.live) {
      try {
        subscriber.controller.enqueue(frame);
      } catch {
        this.detach(subscriber);
      }
    }
  }

  /** Ends every live stream (the task finished). */
  closeAll(): void {
    for (const subscriber of this.live) {
      try {
        subscriber.controller.close();
      } catch {
        // already cancelled by the client
      }
    }
    this.live.clear();
    this.stopPinger();
  }

  private detach(subscriber: Subscriber): void {
    this.live.delete(subscriber);
    if (this.live.size === 0) this.stopPinger();
  }

  private ensurePinger(): void {
    this.pinger ??= setInterval(() => {
      for (const subscriber of this.live) {
        try {
          subscriber.controller.enqueue(PING_FRAME);
        } catch {
          this.detach(subscriber);
        }
      }
    }, PING_INTERVAL_MS);
  }

  private stopPinger(): void {
    clearInterval(this.pinger);
    this.pinger = null;
  }
}
