// Web-app access modes enforced on every app request (spec dify-web-auth.md §3): what Dify delegates to
// its closed enterprise service. The account's status, token cut-off and grant are read in one D1 query
// and cached in isolate memory for CACHE_TTL_SECONDS; admin writes drop this isolate's cache at once.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { App, EndUser } from "../../db/schema";
import { type ApiError, Unauthorized, WebAppAccessDenied, WebAppAuthRequired } from "../../lib/errors";
import type { Passport } from "./passport";

export const ACCESS_MODES = ["public", "private", "private_all", "sso_verified"] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

interface AccountAccess {
  status: string;
  tokensValidAfter: number;
  /** A grant on the app for the account itself or for one of its groups. */
  granted: boolean;
}

interface Entry {
  expires: number;
  value: Promise<AccountAccess | null>;
}

const cache = new Map<string, Entry>();
const MAX_ENTRIES = 5000;

async function loadAccess(db: Db, appId: string, accountId: string): Promise<AccountAccess | null> {
  const row = await db.get<{ status: string; tokens_valid_after: number; granted: number }>(sql`
    SELECT a.status, a.tokens_valid_after,
      EXISTS (
        SELECT 1 FROM app_access_grants g
        WHERE g.app_id = ${appId} AND (
          (g.subject_type = 'account' AND g.subject_id = a.id) OR
          (g.subject_type = 'group' AND g.subject_id IN (SELECT m.group_id FROM account_group_members m WHERE m.account_id = a.id))
        )
      ) AS granted
    FROM accounts a WHERE a.id = ${accountId}`);
  return row ? { status: row.status, tokensValidAfter: row.tokens_valid_after, granted: row.granted === 1 } : null;
}

function accountAccess(db: Db, appId: string, accountId: string, ttlSeconds: number): Promise<AccountAccess | null> {
  const key = `${appId}\u0000${accountId}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.value;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  const value = loadAccess(db, appId, accountId);
  cache.set(key, { expires: now + ttlSeconds * 1000, value });
  value.catch(() => cache.delete(key));
  return value;
}

/** Drops this isolate's cached decisions (other isolates follow within CACHE_TTL_SECONDS). */
export function forgetAccessDecisions(): void {
  cache.clear();
}

/**
 * Why `passport` may not use `app` now, or null when it may. Non-public apps need a passport
 * exchanged from a web-app login (`token_source: "webapp"`) whose account is active, was not reset
 * or banned after the passport was granted, and, for `private`, holds a grant.
 */
export async function accessDenial(db: Db, app: App, passport: Passport, endUser: EndUser, ttlSeconds: number): Promise<ApiError | null> {
  const mode = app.accessMode as AccessMode;
  if (mode === "public") {
    // Dify's answer: the client drops the login passport and fetches an anonymous one.
    if (passport.token_source === "webapp") return new Unauthorized("webapp token expired.");
    // An anonymous passport never acts as a signed-in account's end user (they share session ids).
    if (!endUser.isAnonymous) return new Unauthorized("Invalid token.");
    return null;
  }
  if (passport.token_source !== "webapp" || typeof passport.user_id !== "string") return new WebAppAuthRequired();
  // No external identity provider is configured, so nothing can satisfy sso_verified yet.
  if (mode === "sso_verified") return new WebAppAuthRequired("Please login as external user.");
  if (passport.auth_type !== "internal") return new WebAppAuthRequired("Please login as internal user.");
  const access = await accountAccess(db, app.id, passport.user_id, ttlSeconds);
  if (!access) return new WebAppAuthRequired();
  if (typeof passport.granted_at !== "number" || passport.granted_at <= access.tokensValidAfter) {
    return new WebAppAuthRequired("Authentication has expired. Please sign in again.");
  }
  if (access.status !== "active") return new WebAppAccessDenied("Account is banned.");
  if (mode === "private" && !access.granted) return new WebAppAccessDenied();
  return null;
}

export async function enforceWebAppAccess(db: Db, app: App, passport: Passport, endUser: EndUser, ttlSeconds: number): Promise<void> {
  const denial = await accessDenial(db, app, passport, endUser, ttlSeconds);
  if (denial) throw denial;
}
