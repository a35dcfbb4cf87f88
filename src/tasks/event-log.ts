// The task's own SQLite storage: one row of task state and an append-only event log, so
// subscribers can replay after a cursor and the task survives its HTTP requests. Events get their
// sequence number at once and are written in batches (one row per batch, every FLUSH_MS or
// FLUSH_EVENTS): a 1,000-token answer costs a few dozen rows written instead of a thousand, and the
// stream never waits on storage. Reads see written and pending events alike.
import type { GenerationSpec, LoggedEvent, TaskEvent } from "./types";

export type TaskStatus = "running" | "finished";

export interface TaskRow {
  taskId: string;
  appId: string;
  endUserId: string;
  status: TaskStatus;
  startedAt: number;
  finishedAt: number | null;
  /** The spec without secrets (the provider's API key is never persisted). */
  spec: Omit<GenerationSpec, "provider"> & { provider: { name: string; type: string } };
  /** A pending D1 write (JSON) when finalisation has not succeeded yet. */
  pendingFinal: string | null;
}

const FLUSH_MS = 25;
const FLUSH_EVENTS = 64;

export class EventLog {
  private nextSeq: number;
  private pending: LoggedEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS task (
      id INTEGER PRIMARY KEY CHECK (id = 1), task_id TEXT NOT NULL, app_id TEXT NOT NULL, end_user_id TEXT NOT NULL,
      status TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER, spec TEXT NOT NULL, pending_final TEXT)`);
    sql.exec("CREATE TABLE IF NOT EXISTS event_batches (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, body TEXT NOT NULL)");
    this.nextSeq = sql.exec<{ last: number | null }>("SELECT MAX(last_seq) AS last FROM event_batches").one().last ?? 0;
  }

  task(): TaskRow | null {
    const row = this.sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM task WHERE id = 1").toArray()[0];
    if (!row) return null;
    return {
      taskId: row.task_id as string,
      appId: row.app_id as string,
      endUserId: row.end_user_id as string,
      status: row.status as TaskStatus,
      startedAt: row.started_at as number,
      finishedAt: (row.finished_at as number | null) ?? null,
      spec: JSON.parse(row.spec as string),
      pendingFinal: (row.pending_final as string | null) ?? null,
    };
  }

  create(spec: GenerationSpec, now: number): void {
    const { provider, ...rest } = spec;
    const stored = { ...rest, provider: { name: provider.name, type: provider.type } };
    this.sql.exec(
      "INSERT INTO task (id, task_id, app_id, end_user_id, status, started_at, spec) VALUES (1, ?, ?, ?, 'running', ?, ?)",
      spec.taskId,
      spec.appId,
      spec.endUserId,
      now,
      JSON.stringify(stored),
    );
  }

  finish(now: number, pendingFinal: string | null): void {
    this.sql.exec("UPDATE task SET status = 'finished', finished_at = ?, pending_final = ? WHERE id = 1", now, pendingFinal);
  }

  setPendingFinal(pendingFinal: string | null): void {
    this.sql.exec("UPDATE task SET pending_final = ? WHERE id = 1", pendingFinal);
  }

  append(event: TaskEvent): LoggedEvent {
    const logged = { seq: ++this.nextSeq, event };
    this.pending.push(logged);
    if (this.pending.length >= FLUSH_EVENTS) this.flush();
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
    this.sql.exec("INSERT INTO event_batches (first_seq, last_seq, body) VALUES (?, ?, ?)", batch[0].seq, batch.at(-1)!.seq, JSON.stringify(batch));
  }

  after(cursor: number): LoggedEvent[] {
    const written = this.sql
      .exec<{ body: string }>("SELECT body FROM event_batches WHERE last_seq > ? ORDER BY first_seq", cursor)
      .toArray()
      .flatMap((row) => JSON.parse(row.body) as LoggedEvent[]);
    return [...written, ...this.pending].filter((e) => e.seq > cursor);
  }
}
