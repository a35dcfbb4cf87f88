// Per-app concurrency limit (Dify's rate_limit.py): min of apps.max_active_requests (or
// APP_DEFAULT_ACTIVE_REQUESTS) and APP_MAX_ACTIVE_REQUESTS, zeros meaning unlimited. A slot is
// taken by one conditional INSERT, which D1 executes atomically; the task releases it at the end,
// and a slot older than the maximum run time is ignored (a crashed task cannot hold it forever).
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { appActiveRequests } from "../../db/schema";
import { TooManyRequests } from "../../lib/errors";
import { nowSeconds, uuid } from "../../lib/ids";

export function activeRequestLimit(appLimit: number | null, appDefault: number, globalMax: number): number {
  const perApp = appLimit && appLimit > 0 ? appLimit : appDefault;
  const limits = [perApp, globalMax].filter((n) => n > 0);
  return limits.length ? Math.min(...limits) : 0;
}

/** Takes a slot, or throws 429 too_many_requests; null when the app is unlimited. */
export async function acquireSlot(db: Db, appId: string, limit: number, staleAfterSeconds: number): Promise<string | null> {
  if (limit <= 0) return null;
  const id = uuid();
  const now = nowSeconds();
  const inserted = await db.run(sql`
    INSERT INTO app_active_requests (id, app_id, started_at)
    SELECT ${id}, ${appId}, ${now}
    WHERE (SELECT COUNT(*) FROM app_active_requests WHERE app_id = ${appId} AND started_at > ${now - staleAfterSeconds}) < ${limit}`);
  if (inserted.meta.changes !== 1) {
    throw new TooManyRequests(`Too many requests. Please try again later. The current maximum concurrent requests allowed is ${limit}.`);
  }
  return id;
}

export async function releaseSlot(db: Db, id: string | null): Promise<void> {
  if (id) await db.delete(appActiveRequests).where(eq(appActiveRequests.id, id));
}
