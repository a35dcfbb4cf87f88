// Ordered D1 writes of a task. Each write (one atomic D1 batch) is stored in the object's SQLite
// first, so a D1 outage at the end of a run loses nothing: a write that fails is retried a few
// times at once, then by the alarm with backoff, in order (a write never lands before an earlier
// one). Retries are bounded and size-safe: the body lives in chunked blobs (it always fits), a write
// D1 refuses for good (too big, a constraint) is replaced by its smaller fallback when it has one,
// and a write that still cannot land after MAX_ATTEMPTS is dropped with an error log.
// A critical write (the rows a run needs before anything else makes sense) is never left for the
// alarm: if it cannot land at once, its promise rejects and the program ends the run with an error.
import { isPermanentD1Error, runStatements, type Statement } from "../db/statements";
import { describeError, log } from "../lib/log";
import type { Blobs } from "./storage";

const INLINE_ATTEMPTS = 3;
const MAX_ATTEMPTS = 30;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3_600_000;

export interface WriteOptions {
  /** Names the write in logs. */
  label: string;
  /** Smaller statements to run instead when D1 refuses these for good (e.g. an answer too big to store). */
  fallback?: Statement[];
  /** Reject at once instead of retrying later (nothing after it is useful without it). */
  critical?: boolean;
  /** Hold every event published after this write until it has landed (or was given up). */
  barrier?: boolean;
}

interface Body {
  statements: Statement[];
  fallback: Statement[] | null;
}

type Row = {
  id: number;
  label: string;
  attempts: number;
  next_at: number;
  critical: number;
  barrier: number;
};

export class Outbox {
  private processing: Promise<void> | null = null;
  private readonly waiters = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly blobs: Blobs,
    private readonly d1: D1Database,
    /** Called whenever a barrier write settled, so held events can go out. */
    private readonly onBarrierSettled: () => void = () => {},
  ) {}

  get size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  hasBarrier(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox WHERE barrier = 1 LIMIT 1").toArray().length > 0;
  }

  /** When the alarm should try again (ms), or null when nothing waits. */
  nextAttemptAt(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(next_at) AS at FROM outbox").one().at ?? null;
  }

  /** Queues a write; the promise settles when it landed (or, for critical writes, failed). */
  add(statements: Statement[], options: WriteOptions): Promise<void> {
    const id = this.sql
      .exec<{ id: number }>(
        "INSERT INTO outbox (label, critical, barrier) VALUES (?, ?, ?) RETURNING id",
        options.label,
        options.critical ? 1 : 0,
        options.barrier ? 1 : 0,
      )
      .one().id;
    this.blobs.putJson(`outbox:${id}`, { statements, fallback: options.fallback ?? null } satisfies Body);
    const landed = new Promise<void>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
    // Only critical writes are awaited by programs; others must not surface as unhandled rejections.
    if (!options.critical) landed.catch(() => {});
    this.kick();
    return landed;
  }

  /** Tries every due write in order; resolves when the queue is empty or its head must wait. */
  drain(): Promise<void> {
    this.kick();
    return this.processing ?? Promise.resolve();
  }

  private kick(): void {
    this.processing ??= this.process().finally(() => {
      this.processing = null;
    });
  }

  private async process(): Promise<void> {
    for (;;) {
      const head = this.sql.exec<Row>("SELECT * FROM outbox ORDER BY id LIMIT 1").toArray()[0];
      if (!head || head.next_at > Date.now()) return;
      const outcome = await this.attempt(head);
      if (outcome === "wait") return;
    }
  }

  private async attempt(row: Row): Promise<"done" | "wait"> {
    const body = this.blobs.getJson<Body>(`outbox:${row.id}`) ?? { statements: [], fallback: null };
    let attempts = row.attempts;
    for (;;) {
      try {
        await runStatements(this.d1, body.statements);
        this.settle(row, null);
        return "done";
      } catch (err) {
        attempts++;
        if (isPermanentD1Error(err) || attempts >= MAX_ATTEMPTS) {
          if (body.fallback) {
            log(null, "warn", "task write refused; writing its fallback", { write: row.label, error: describeError(err) });
            body.statements = body.fallback;
            body.fallback = null;
            this.blobs.putJson(`outbox:${row.id}`, body);
            continue;
          }
          log(null, "error", "task write dropped", { write: row.label, attempts, error: describeError(err) });
          this.settle(row, err);
          return "done";
        }
        if (attempts % INLINE_ATTEMPTS !== 0) {
          await new Promise((r) => setTimeout(r, 100 * 4 ** ((attempts % INLINE_ATTEMPTS) - 1)));
          continue;
        }
        if (row.critical) {
          log(null, "error", "critical task write failed", { write: row.label, error: describeError(err) });
          this.settle(row, err);
          return "done";
        }
        const delay = Math.min(FIRST_RETRY_MS * 2 ** (attempts / INLINE_ATTEMPTS - 1), MAX_RETRY_MS);
        this.sql.exec("UPDATE outbox SET attempts = ?, next_at = ? WHERE id = ?", attempts, Date.now() + delay, row.id);
        log(null, "warn", "task write failed; retrying later", { write: row.label, attempts, retry_in_ms: delay, error: describeError(err) });
        return "wait";
      }
    }
  }

  private settle(row: Row, error: unknown): void {
    this.sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
    this.blobs.delete(`outbox:${row.id}`);
    const waiter = this.waiters.get(row.id);
    this.waiters.delete(row.id);
    if (error === null) waiter?.resolve();
    else waiter?.reject(error instanceof Error ? error : new Error(String(error)));
    if (row.barrier) this.onBarrierSettled();
  }
}
