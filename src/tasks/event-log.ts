// The task's own SQLite storage: one row of task state and an append-only event log, so
// subscribers can replay after a cursor and the task survives its HTTP requests.
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

export class EventLog {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS task (
      id INTEGER PRIMARY KEY CHECK (id = 1), task_id TEXT NOT NULL, app_id TEXT NOT NULL, end_user_id TEXT NOT NULL,
      status TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER, spec TEXT NOT NULL, pending_final TEXT)`);
    sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)");
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

  append(event: TaskEvent): number {
    return this.sql.exec<{ seq: number }>("INSERT INTO events (body) VALUES (?) RETURNING seq", JSON.stringify(event)).one().seq;
  }

  after(cursor: number): LoggedEvent[] {
    return this.sql
      .exec<{ seq: number; body: string }>("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq", cursor)
      .toArray()
      .map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as TaskEvent }));
  }
}
