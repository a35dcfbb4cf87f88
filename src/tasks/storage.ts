// The TaskRunner's own SQLite: a schema version with forward migrations (a paused task outlives
// deploys, for days), the one task record whose status moves only by check-and-set, and a chunked
// value store for the spec, program checkpoints and outbox bodies (an SQLite row holds 2 MB; a
// value of any size is split into rows of at most CHUNK_CHARS UTF-16 units, ≤ 512 KB of UTF-8).
import { migrateFromV1 } from "./storage-v1";

export const STORAGE_VERSION = 2;
const CHUNK_CHARS = 170_000;

export type TaskStatus = "running" | "paused" | "finished";

export interface TaskRecord {
  taskId: string;
  appId: string;
  endUserId: string;
  kind: string;
  status: TaskStatus;
  startedAt: number;
  finishedAt: number | null;
  /** When a paused task asked to be woken (ms), e.g. a human-input timeout. */
  wakeAt: number | null;
  /** The concurrency slot was released (at the first pause or the end). */
  slotReleased: boolean;
}

const SCHEMA_V2 = [
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
  `CREATE TABLE IF NOT EXISTS task (id INTEGER PRIMARY KEY CHECK (id = 1), task_id TEXT NOT NULL, app_id TEXT NOT NULL,
    end_user_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER,
    wake_at INTEGER, slot_released INTEGER NOT NULL DEFAULT 0)`,
  "CREATE TABLE IF NOT EXISTS blobs (name TEXT NOT NULL, part INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (name, part))",
  `CREATE TABLE IF NOT EXISTS events (first_seq INTEGER NOT NULL, part INTEGER NOT NULL, parts INTEGER NOT NULL, last_seq INTEGER NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (first_seq, part))`,
  "CREATE INDEX IF NOT EXISTS events_last_seq ON events (last_seq)",
  `CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL DEFAULT 0, critical INTEGER NOT NULL DEFAULT 0, barrier INTEGER NOT NULL DEFAULT 0)`,
];

function tableExists(sql: SqlStorage, name: string): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
}

export function storedVersion(sql: SqlStorage): number {
  if (tableExists(sql, "meta")) {
    const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").toArray()[0];
    if (row) return Number(row.value);
  }
  // Version 1 (before the runtime was generalised) had no meta table.
  return tableExists(sql, "task") ? 1 : 0;
}

/** Brings the object's storage to STORAGE_VERSION (creating it when empty). */
export function migrateStorage(sql: SqlStorage): void {
  let version = storedVersion(sql);
  if (version === STORAGE_VERSION) return;
  if (version > STORAGE_VERSION) throw new Error(`task storage version ${version} is newer than this code (${STORAGE_VERSION})`);
  if (version === 1) {
    migrateFromV1(sql, SCHEMA_V2, (name, value) => new Blobs(sql).putJson(name, value));
    version = 2;
  }
  if (version === 0) for (const statement of SCHEMA_V2) sql.exec(statement);
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", String(STORAGE_VERSION));
}

/** Values of any size, split across rows. */
export class Blobs {
  constructor(private readonly sql: SqlStorage) {}

  put(name: string, value: string): void {
    this.sql.exec("DELETE FROM blobs WHERE name = ?", name);
    let start = 0;
    let part = 0;
    do {
      let end = Math.min(start + CHUNK_CHARS, value.length);
      // Never split a surrogate pair across rows.
      const last = value.charCodeAt(end - 1);
      if (end < value.length && last >= 0xd800 && last <= 0xdbff) end--;
      this.sql.exec("INSERT INTO blobs (name, part, body) VALUES (?, ?, ?)", name, part++, value.slice(start, end));
      start = end;
    } while (start < value.length);
  }

  get(name: string): string | null {
    const rows = this.sql.exec<{ body: string }>("SELECT body FROM blobs WHERE name = ? ORDER BY part", name).toArray();
    return rows.length ? rows.map((r) => r.body).join("") : null;
  }

  putJson(name: string, value: unknown): void {
    this.put(name, JSON.stringify(value));
  }

  getJson<T>(name: string): T | null {
    const text = this.get(name);
    return text === null ? null : (JSON.parse(text) as T);
  }

  delete(name: string): void {
    this.sql.exec("DELETE FROM blobs WHERE name = ?", name);
  }
}

export class TaskTable {
  constructor(private readonly sql: SqlStorage) {}

  get(): TaskRecord | null {
    const row = this.sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM task WHERE id = 1").toArray()[0];
    if (!row) return null;
    return {
      taskId: row.task_id as string,
      appId: row.app_id as string,
      endUserId: row.end_user_id as string,
      kind: row.kind as string,
      status: row.status as TaskStatus,
      startedAt: row.started_at as number,
      finishedAt: (row.finished_at as number | null) ?? null,
      wakeAt: (row.wake_at as number | null) ?? null,
      slotReleased: row.slot_released === 1,
    };
  }

  create(task: Pick<TaskRecord, "taskId" | "appId" | "endUserId" | "kind">, now: number): void {
    this.sql.exec(
      "INSERT INTO task (id, task_id, app_id, end_user_id, kind, status, started_at) VALUES (1, ?, ?, ?, ?, 'running', ?)",
      task.taskId,
      task.appId,
      task.endUserId,
      task.kind,
      now,
    );
  }

  /** Moves the status from `from` to `to`; false when it was not `from` (someone else won). */
  transition(from: TaskStatus, to: TaskStatus, now: number): boolean {
    const cursor = this.sql.exec(
      "UPDATE task SET status = ?, finished_at = CASE WHEN ? = 'finished' THEN ? ELSE finished_at END WHERE id = 1 AND status = ?",
      to,
      to,
      now,
      from,
    );
    return cursor.rowsWritten === 1;
  }

  setWakeAt(at: number | null): void {
    this.sql.exec("UPDATE task SET wake_at = ? WHERE id = 1", at);
  }

  markSlotReleased(): boolean {
    return this.sql.exec("UPDATE task SET slot_released = 1 WHERE id = 1 AND slot_released = 0").rowsWritten === 1;
  }
}
