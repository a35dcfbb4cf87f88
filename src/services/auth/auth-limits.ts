// Exact counters for sign-in: mail send limits (sliding windows) and failed-attempt lockouts. They live
// in D1, not KV: each check-and-count is one SQL transaction on the primary, so concurrent requests
// cannot slip past a limit the way read-then-write on eventually consistent KV would.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { nowSeconds } from "../../lib/ids";

/** Sliding-window counters: mail sends, and human-input form reads and submissions per IP. */
export type MailScope = "mail_ip" | "login_code_mail" | "reset_mail" | "web_form_access" | "web_form_submit";
export type FailureScope = "login" | "reset";

/**
 * Records one send for `key` if fewer than `limit` were recorded in the last `windowSeconds`.
 * Returns false (and records nothing) at the limit.
 */
export async function takeMailSlot(db: Db, scope: MailScope, key: string, limit: number, windowSeconds: number): Promise<boolean> {
  const now = nowSeconds();
  // Count and insert in one statement: SQLite runs it atomically, so two sends cannot both see room.
  const inserted = await db.all<{ at: number }>(
    sql`INSERT INTO auth_rate_events (scope, key, at)
        SELECT ${scope}, ${key}, ${now}
        WHERE (SELECT COUNT(*) FROM auth_rate_events WHERE scope = ${scope} AND key = ${key} AND at > ${now - windowSeconds}) < ${limit}
        RETURNING at`,
  );
  // Events older than the window no longer count; dropping them for the whole scope keeps the table small.
  await db.run(sql`DELETE FROM auth_rate_events WHERE scope = ${scope} AND at <= ${now - windowSeconds}`);
  return inserted.length > 0;
}

/**
 * Reserves one attempt before a password or code is checked. Every attempt counts as a failure until
 * `clearFailures` records a success, so parallel guesses cannot exceed the limit. Returns false while
 * the key is locked: `limit` attempts, the last less than `lockSeconds` ago.
 */
export async function reserveAttempt(db: Db, scope: FailureScope, key: string, limit: number, lockSeconds: number): Promise<boolean> {
  const now = nowSeconds();
  const rows = await db.all<{ count: number }>(
    sql`INSERT INTO auth_failures (scope, key, count, expires_at) VALUES (${scope}, ${key}, 1, ${now + lockSeconds})
        ON CONFLICT (scope, key) DO UPDATE SET
          count = CASE WHEN auth_failures.expires_at <= ${now} THEN 1 ELSE auth_failures.count + 1 END,
          expires_at = excluded.expires_at
        WHERE auth_failures.expires_at <= ${now} OR auth_failures.count < ${limit}
        RETURNING count`,
  );
  return rows.length > 0;
}

export async function clearFailures(db: Db, scope: FailureScope, key: string): Promise<void> {
  await db.run(sql`DELETE FROM auth_failures WHERE scope = ${scope} AND key = ${key}`);
}
