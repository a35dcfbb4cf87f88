// One-time sign-in and reset tokens (spec dify-web-auth.md §6). The token's data and a keyed hash of its
// 6-digit code live in KV with the token's TTL; whether the token is still unused is decided by its D1
// row, because a KV delete takes up to a minute to reach other locations and could be replayed there.
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { authTokens } from "../../db/schema";
import { bytesToBase64, hmacSha256, sha256Hex, timingSafeEqualStrings } from "../../lib/crypto";
import { nowSeconds, randomString, uuid } from "../../lib/ids";

export type CodeKind = "email_code_login" | "reset_password";

export interface CodeRecord {
  /** SHA-256 of the token: the D1 row id and the KV key suffix. */
  id: string;
  kind: CodeKind;
  email: string;
  /** "reset" marks the second-phase reset token, which carries no code. */
  phase: "reset" | null;
  codeHash: string | null;
}

interface Stores {
  db: Db;
  kv: KVNamespace;
  secretKey: string;
}

const kvKey = (id: string) => `auth:token:${id}`;
// KV refuses TTLs under 60 s; shorter configured lifetimes are still enforced by the D1 row.
const KV_MIN_TTL = 60;
// Spent rows are kept a day for inspection, then swept by the next issue.
const SWEEP_AFTER = 86_400;

async function hashCode(secretKey: string, id: string, code: string): Promise<string> {
  return bytesToBase64(await hmacSha256(secretKey, `one-time-code:${id}:${code}`));
}

/**
 * Issues a token for `email`, revoking that email's earlier unused tokens of the same kind.
 * Returns the token and, unless `phase` is "reset", the code to mail.
 */
export async function issueCode(
  stores: Stores,
  input: { kind: CodeKind; email: string; ttlSeconds: number; phase?: "reset" },
): Promise<{ token: string; code: string | null }> {
  const token = uuid();
  const id = await sha256Hex(token);
  const code = input.phase === "reset" ? null : randomString(6, "0123456789");
  const record: CodeRecord = {
    id,
    kind: input.kind,
    email: input.email,
    phase: input.phase ?? null,
    codeHash: code === null ? null : await hashCode(stores.secretKey, id, code),
  };
  const now = nowSeconds();
  await stores.kv.put(kvKey(id), JSON.stringify(record), { expirationTtl: Math.max(KV_MIN_TTL, input.ttlSeconds) });
  await stores.db.batch([
    stores.db
      .update(authTokens)
      .set({ consumedAt: now })
      .where(and(eq(authTokens.email, input.email), eq(authTokens.kind, input.kind), isNull(authTokens.consumedAt))),
    stores.db.delete(authTokens).where(lt(authTokens.expiresAt, now - SWEEP_AFTER)),
    stores.db.insert(authTokens).values({ id, kind: input.kind, email: input.email, expiresAt: now + input.ttlSeconds, createdAt: now }),
  ]);
  return { token, code };
}

/** The token's record from KV, or null when it is unknown or past its KV TTL. */
export async function findCode(kv: KVNamespace, token: string, kind: CodeKind): Promise<CodeRecord | null> {
  const record = await kv.get<CodeRecord>(kvKey(await sha256Hex(token)), "json");
  return record && record.kind === kind ? record : null;
}

/** Constant-time check of a submitted code against the record's keyed hash. */
export async function codeMatches(secretKey: string, record: CodeRecord, code: string): Promise<boolean> {
  if (record.codeHash === null) return false;
  return timingSafeEqualStrings(await hashCode(secretKey, record.id, code), record.codeHash);
}

/** Marks the token used. Exactly one caller wins; false when it was used, revoked or expired. */
export async function consumeCode(stores: Pick<Stores, "db" | "kv">, id: string): Promise<boolean> {
  const now = nowSeconds();
  const rows = await stores.db.all<{ id: string }>(
    sql`UPDATE auth_tokens SET consumed_at = ${now} WHERE id = ${id} AND consumed_at IS NULL AND expires_at > ${now} RETURNING id`,
  );
  // Only tidies this location's copy; the D1 row above is what refuses a replay.
  await stores.kv.delete(kvKey(id));
  return rows.length > 0;
}
