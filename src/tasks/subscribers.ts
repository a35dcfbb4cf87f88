// Live SSE subscribers of one task. A subscriber first replays the log after its cursor, page by
// page as it reads (pull-driven, so a 100,000-event backlog is never held in memory), then follows
// live events; a subscriber that reads too slowly falls back to paging the log instead of buffering.
// Frames published in one turn of the event loop go out as one chunk, encoded once for everyone.
// Pings every 10 s; a subscriber that goes away only detaches (the task keeps running).
// A stream ends when the task stops running — or, for subscribers that asked to, stays open while it
// is paused (until it finishes, an event it closes on, or IDLE_CLOSE_MS without events).
import { PING_FRAME } from "../lib/sse";
import type { EventLog, LoggedEvent } from "./event-log";
import type { TaskStatus } from "./storage";

const PING_INTERVAL_MS = 10_000;
/** A stream held open on a paused task closes after this long without events (Dify's topic idle timeout). */
const IDLE_CLOSE_MS = 300_000;
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
/** Events are serialised with `event` first, so the name is read without parsing the JSON. */
const eventName = (json: string): string => /^\{"event":"([^"]*)"/.exec(json)?.[1] ?? "";

export interface SubscribeOptions {
  /** Replay after this seq; "now" starts at the end of the log (live only). */
  cursor: number | "now";
  /** Close right after sending one of these events. */
  closeOn?: string[];
  /** Stay open while the task is paused (it may be resumed). */
  holdWhilePaused?: boolean;
  /** Frames sent before anything else (a state snapshot), without ids. */
  prelude?: string[];
}

interface Subscriber {
  controller: ReadableStreamDefaultController<Uint8Array>;
  /** The last seq this subscriber was sent. */
  cursor: number;
  live: boolean;
  closeOn: Set<string> | null;
  hold: boolean;
  lastEventAt: number;
}

export class Subscribers {
  private readonly all = new Set<Subscriber>();
  private buffered: LoggedEvent[] = [];
  private bufferedSince = 0;
  private flushScheduled = false;
  private pinger: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly status: () => TaskStatus | null,
  ) {}

  get count(): number {
    return this.all.size;
  }

  open(options: SubscribeOptions): ReadableStream<Uint8Array> {
    let subscriber: Subscriber;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          subscriber = {
            controller,
            cursor: options.cursor === "now" ? this.log.last : options.cursor,
            live: false,
            closeOn: options.closeOn?.length ? new Set(options.closeOn) : null,
            hold: options.holdWhilePaused === true,
            lastEventAt: Date.now(),
          };
          if (options.prelude?.length) {
            controller.enqueue(encoder.encode(options.prelude.map((json) => `data: ${json}\n\n`).join("")));
            // A snapshot that already ends the run (or its pause) ends the stream too.
            if (subscriber.closeOn?.has(eventName(options.prelude.at(-1)!))) {
              controller.close();
              return;
            }
          }
          this.all.add(subscriber);
          this.ensurePinger();
        },
        pull: () => {
          if (!subscriber.live && this.all.has(subscriber)) this.replayPage(subscriber);
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
      if ((subscriber.controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
        // Too slow: stop pushing, let its reads page the log from its cursor.
        subscriber.live = false;
        continue;
      }
      if (subscriber.closeOn || subscriber.cursor >= events[0].seq) {
        this.sendEvents(subscriber, events.filter((e) => e.seq > subscriber.cursor));
        continue;
      }
      shared ??= encoder.encode(events.map(frame).join(""));
      this.send(subscriber, shared);
      subscriber.cursor = lastSeq;
      subscriber.lastEventAt = Date.now();
    }
  }

  /** The task stopped running: live streams get what is buffered and close, unless they hold while it is paused. */
  endAll(status: TaskStatus): void {
    this.flush();
    for (const subscriber of this.all) {
      if (!subscriber.live || (status === "paused" && subscriber.hold)) continue;
      this.close(subscriber);
    }
  }

  /** Sends events one by one (stopping at a close-on event); the cursor follows. */
  private sendEvents(subscriber: Subscriber, events: LoggedEvent[]): void {
    if (events.length === 0) return;
    let end = events.length;
    if (subscriber.closeOn) {
      const stop = events.findIndex((e) => subscriber.closeOn!.has(eventName(e.json)));
      if (stop !== -1) end = stop + 1;
    }
    const sent = events.slice(0, end);
    this.send(subscriber, encoder.encode(sent.map(frame).join("")));
    subscriber.cursor = sent.at(-1)!.seq;
    subscriber.lastEventAt = Date.now();
    if (end < events.length || (subscriber.closeOn && subscriber.closeOn.has(eventName(sent.at(-1)!.json)))) this.close(subscriber);
  }

  private replayPage(subscriber: Subscriber): void {
    const page = this.log.page(subscriber.cursor, PAGE_CHARS);
    if (page.length > 0) this.sendEvents(subscriber, page);
    if (!this.all.has(subscriber)) return;
    // Caught up with the log (in this same turn, so nothing can be missed): close or go live.
    if (subscriber.cursor >= this.log.last) {
      const status = this.status();
      if (status === "finished" || status === null || (status === "paused" && !subscriber.hold)) this.close(subscriber);
      else subscriber.live = true;
    }
  }

  private close(subscriber: Subscriber): void {
    try {
      subscriber.controller.close();
    } catch {
      // already cancelled by the client
    }
    this.detach(subscriber);
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
      const paused = this.status() === "paused";
      for (const subscriber of this.all) {
        if (!subscriber.live) continue;
        if (paused && subscriber.hold && Date.now() - subscriber.lastEventAt > IDLE_CLOSE_MS) this.close(subscriber);
        else this.send(subscriber, PING_FRAME);
      }
    }, PING_INTERVAL_MS);
  }

  private stopPinger(): void {
    if (this.pinger !== null) clearInterval(this.pinger);
    this.pinger = null;
  }
}
