// Live SSE subscribers of one task. A subscriber first replays the log after its cursor, page by
// page as it reads (pull-driven, so a 100,000-event backlog is never held in memory), then follows
// live events; a subscriber that reads too slowly falls back to paging the log instead of buffering.
// Frames published in one turn of the event loop go out as one chunk, encoded once for everyone.
// Pings every 10 s; a subscriber that goes away only detaches (the task keeps running).
import { PING_FRAME } from "../lib/sse";
import type { EventLog, LoggedEvent } from "./event-log";

const PING_INTERVAL_MS = 10_000;
/** Bytes a live subscriber may have queued before it falls back to paging the log. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const PAGE_CHARS = 256 * 1024;
// Frames wait for the end of the turn, but a producer that never yields to timers (a model stream
// whose chunks are already buffered resolves reads as microtasks) still gets them out every
// FLUSH_AFTER_MS or FLUSH_EVENTS.
const FLUSH_AFTER_MS = 5;
const FLUSH_EVENTS = 128;

const encoder = new TextEncoder();
const frame = (e: LoggedEvent) => `id: ${e.seq}\ndata: ${e.json}\n\n`;

interface Subscriber {
  controller: ReadableStreamDefaultController<Uint8Array>;
  /** The last seq this subscriber was sent. */
  cursor: number;
  live: boolean;
}

export class Subscribers {
  private readonly all = new Set<Subscriber>();
  private buffered: LoggedEvent[] = [];
  private bufferedSince = 0;
  private flushScheduled = false;
  private pinger: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly log: EventLog,
    /** Whether the task is no longer running (finished or paused): streams end after the log. */
    private readonly ended: () => boolean,
  ) {}

  get count(): number {
    return this.all.size;
  }

  /** A stream of every event after `cursor`, then live ones; it closes when the task ends. */
  open(cursor: number): ReadableStream<Uint8Array> {
    let subscriber: Subscriber;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          subscriber = { controller, cursor, live: false };
          this.all.add(subscriber);
          this.ensurePinger();
        },
        pull: () => {
          if (!subscriber.live) this.replayPage(subscriber);
        },
        cancel: () => this.detach(subscriber),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
    );
  }

  /** Called with each appended event; frames go out together at the end of this turn. */
  publish(event: LoggedEvent): void {
    if (this.buffered.length === 0) this.bufferedSince = Date.now();
    this.buffered.push(event);
    if (this.buffered.length >= FLUSH_EVENTS || Date.now() - this.bufferedSince >= FLUSH_AFTER_MS) {
      this.flush();
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setTimeout(() => {
      this.flushScheduled = false;
      this.flush();
    }, 0);
  }

  /** Sends buffered frames to live subscribers now. */
  flush(): void {
    const events = this.buffered;
    this.buffered = [];
    if (events.length === 0) return;
    const lastSeq = events.at(-1)!.seq;
    let shared: Uint8Array | null = null;
    for (const subscriber of this.all) {
      if (!subscriber.live || subscriber.cursor >= lastSeq) continue;
      const desired = subscriber.controller.desiredSize ?? 0;
      if (desired < -MAX_QUEUED_BYTES) {
        // Too slow: stop pushing, let its reads page the log from its cursor.
        subscriber.live = false;
        continue;
      }
      let bytes: Uint8Array;
      if (subscriber.cursor < events[0].seq) {
        shared ??= encoder.encode(events.map(frame).join(""));
        bytes = shared;
      } else {
        bytes = encoder.encode(events.filter((e) => e.seq > subscriber.cursor).map(frame).join(""));
      }
      this.send(subscriber, bytes);
      subscriber.cursor = lastSeq;
    }
  }

  /** The task stopped running: live streams get what is buffered and close; replaying ones close at the end of the log. */
  endAll(): void {
    this.flush();
    for (const subscriber of this.all) {
      if (!subscriber.live) continue;
      try {
        subscriber.controller.close();
      } catch {
        // already cancelled by the client
      }
      this.detach(subscriber);
    }
  }

  private replayPage(subscriber: Subscriber): void {
    const page = this.log.page(subscriber.cursor, PAGE_CHARS);
    if (page.length > 0) {
      this.send(subscriber, encoder.encode(page.map(frame).join("")));
      subscriber.cursor = page.at(-1)!.seq;
    }
    // Caught up with the log (in this same turn, so nothing can be missed): close or go live.
    if (subscriber.cursor >= this.log.last) {
      if (this.ended()) {
        try {
          subscriber.controller.close();
        } catch {
          // cancelled
        }
        this.detach(subscriber);
      } else {
        subscriber.live = true;
      }
    }
  }

  private send(subscriber: Subscriber, bytes: Uint8Array): void {
    try {
      // Several subscribers may share one buffer: give each its own copy when there are others.
      subscriber.controller.enqueue(this.all.size > 1 ? bytes.slice() : bytes);
    } catch {
      this.detach(subscriber);
    }
  }

  private detach(subscriber: Subscriber): void {
    this.all.delete(subscriber);
    if (this.all.size === 0) this.stopPinger();
  }

  private ensurePinger(): void {
    this.pinger ??= setInterval(() => {
      for (const subscriber of this.all) if (subscriber.live) this.send(subscriber, PING_FRAME);
    }, PING_INTERVAL_MS);
  }

  private stopPinger(): void {
    if (this.pinger !== null) clearInterval(this.pinger);
    this.pinger = null;
  }
}
