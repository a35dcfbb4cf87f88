// End users: one per (app, session id). The passport creates or reuses them; every app call loads one.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type EndUser, endUsers } from "../../db/schema";
import { nowSeconds, uuid } from "../../lib/ids";

interface Entry {
  expires: number;
  value: Promise<EndUser | null>;
}

const cache = new Map<string, Entry>();

/** Reuses the end user with `sessionId` in the app, or creates one (a fresh random session without it). */
export async function findOrCreateEndUser(
  db: Db,
  input: { tenantId: string; appId: string; sessionId?: string | null; isAnonymous?: boolean },
): Promise<EndUser> {
  const sessionId = input.sessionId || uuid();
  const where = and(eq(endUsers.appId, input.appId), eq(endUsers.sessionId, sessionId));
  if (input.sessionId) {
    const existing = await db.select().from(endUsers).where(where).get();
    if (existing) return existing;
  }
  const now = nowSeconds();
  // The unique (app_id, session_id) index makes two concurrent first visits converge on one row.
  const inserted = await db
    .insert(endUsers)
    .values({
      id: uuid(),
      tenantId: input.tenantId,
      appId: input.appId,
      type: "browser",
      isAnonymous: input.isAnonymous ?? true,
      sessionId,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning()
    .get();
  return inserted ?? (await db.select().from(endUsers).where(where).get())!;
}

/** Loads an end user by id, cached briefly in isolate memory (end users are immutable here). */
export function getEndUser(db: Db, id: string, ttlSeconds: number): Promise<EndUser | null> {
  const now = Date.now();
  const hit = cache.get(id);
  if (hit && hit.expires > now) return hit.value;
  if (cache.size >= 5000) cache.clear();
  const value = db.select().from(endUsers).where(eq(endUsers.id, id)).get().then((row) => row ?? null);
  cache.set(id, { expires: now + ttlSeconds * 1000, value });
  value.then((row) => row === null && cache.delete(id), () => cache.delete(id));
  return value;
}

export function forgetEndUsers(): void {
  cache.clear();
}
