// D1 writes as data: a drizzle query turned into {sql, params} can be queued in a TaskRunner's
// outbox (its SQLite), retried by its alarm and run later as one atomic D1 batch.
import { drizzle } from "drizzle-orm/d1";
import { log } from "../lib/log";
import type { Db } from "./client";
import * as schema from "./schema";

export interface Statement {
  sql: string;
  params: unknown[];
}

/** A drizzle query (insert/update/delete builder) as a Statement. */
export function statement(query: { toSQL(): { sql: string; params: unknown[] } }): Statement {
  const { sql, params } = query.toSQL();
  return { sql, params };
}

/** Runs statements as one D1 batch (all or nothing). */
export async function runStatements(d1: D1Database, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)));
}

// Errors a retry cannot fix: the statement itself is refused (too big, a constraint, bad SQL).
const PERMANENT = /SQLITE_(TOOBIG|CONSTRAINT|ERROR|MISMATCH|RANGE)|too big|constraint|no such (table|column)|syntax error|too many SQL variables|D1_TYPE_ERROR/i;

export function isPermanentD1Error(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}` : String(err);
  if (PERMANENT.test(message)) return true;
  if (!/D1_|SQLITE|network|internal error|timed? ?out|reset|overloaded|unavailable/i.test(message)) log(null, "warn", "unclassified D1 error, treated as transient", { error: message.slice(0, 200) });
  return false;
}

let builder: Db | null = null;

/** A drizzle instance for building statements only (never executes; any D1 binding will do). */
export function statementBuilder(): Db {
  builder ??= drizzle({} as D1Database, { schema });
  return builder;
}
