// The task's append-only event log in the object's SQLite, so subscribers can replay after a cursor
// and the task survives its HTTP requests. Each event is serialised once (JSON) when it is appended;
// that text is what rows store and what frames carry. Events get their sequence number at once and are
// written in batches (one row per batch FLUSH_MS after the first pending event, or at FLUSH_EVENTS events, or when the batch
// reaches BATCH_BYTES): a 1,000-token answer costs a few rows, and the stream never waits on storage.
// Few writes matter beyond their own cost: every write turn of a Durable Object delays its next I/O
// (the model stream it reads) until the write is confirmed, measured at ~1.5 ms a turn locally.
// A batch row's body is one "<seq>\t<json>" line per event (JSON text never holds a raw newline); an
// event larger than BATCH_BYTES is stored alone, split into parts of at most PART_CHARS. Reads are
// paged, so a subscriber to a 100,000-event task never loads it whole.

const FLUSH_MS = 25;
const FLUSH_EVENTS = 1024;
/** A batch row stays ≤ 512 KB (an SQLite row holds 2 MB). */
export const BATCH_BYTES = 512 * 1024;
/** UTF-16 units per part of an oversized event: ≤ 512 KB of UTF-8. */
const PART_CHARS = 170_000;

export interface LoggedEvent {
  seq: number;
  /** The event's JSON text. */
  json: string;
}

const line = (e: LoggedEvent) => `${e.seq}\t${e.json}`;

function parseBody(body: string): LoggedEvent[] {
  return body.split("\n").map((text) => {
    const tab = text.indexOf("\t");
    return { seq: Number(text.slice(0, tab)), json: text.slice(tab + 1) };
  });
}

export class EventLog {
  private lastSeq: number;
  private pending: LoggedEvent[] = [];
  /** UTF-16 length of the pending batch (an upper bound of a third of its UTF-8 size). */
  private pendingChars = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly sql: SqlStorage) {
    this.lastSeq = sql.exec<{ last: number | null }>("SELECT MAX(last_seq) AS last FROM events").one().last ?? 0;
  }

  get last(): number {
    return this.lastSeq;
  }

  append(json: string): LoggedEvent {
    const logged = { seq: ++this.lastSeq, json };
    if (json.length * 3 > BATCH_BYTES) {
      // Alone in its own row (or rows): flush what is pending first to keep rows in order.
      this.flush();
      this.writeOversized(logged);
      return logged;
    }
    this.pending.push(logged);
    this.pendingChars += json.length + 12;
    if (this.pending.length >= FLUSH_EVENTS || this.pendingChars * 3 >= BATCH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    return logged;
  }

  /** Writes pending events as one row. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    this.sql.exec("INSERT INTO events (first_seq, part, parts, last_seq, body) VALUES (?, 0, 1, ?, ?)", batch[0].seq, batch.at(-1)!.seq, batch.map(line).join("\n"));
  }

  private writeOversized(event: LoggedEvent): void {
    const text = line(event);
    const parts: string[] = [];
    for (let start = 0; start < text.length; ) {
      let end = Math.min(start + PART_CHARS, text.length);
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      parts.push(text.slice(start, end));
      start = end;
    }
    parts.forEach((body, part) =>
      this.sql.exec("INSERT INTO events (first_seq, part, parts, last_seq, body) VALUES (?, ?, ?, ?, ?)", event.seq, part, parts.length, event.seq, body),
    );
  }

  /**
   * Events after `cursor`, in order, stopping once about `maxChars` of JSON were collected (at least
   * one event when there is one). Reads written rows lazily, then the pending batch.
   */
  page(cursor: number, maxChars = BATCH_BYTES): LoggedEvent[] {
    const out: LoggedEvent[] = [];
    let chars = 0;
    let parts: string[] = [];
    const rows = this.sql.exec<{ part: number; parts: number; body: string }>(
      "SELECT part, parts, body FROM events WHERE last_seq > ? ORDER BY first_seq, part",
      cursor,
    );
    for (const row of rows) {
      parts.push(row.body);
      if (row.part < row.parts - 1) continue;
      for (const e of parseBody(parts.join(""))) {
        if (e.seq <= cursor) continue;
        out.push(e);
        chars += e.json.length;
      }
      parts = [];
      if (chars >= maxChars) return out;
    }
    for (const e of this.pending) {
      if (e.seq > cursor && chars < maxChars) {
        out.push(e);
        chars += e.json.length;
      }
    }
    return out;
  }

  /** Every event after `cursor`, page by page (for folds over a whole run). */
  *all(cursor = 0): Generator<LoggedEvent> {
    for (;;) {
      const page = this.page(cursor);
      if (page.length === 0) return;
      yield* page;
      cursor = page.at(-1)!.seq;
    }
  }
}
