// Web-app login tokens (spec dify-web-auth.md §2.3 B): what /login and /email-code-login/validity
// return and /passport exchanges for an app passport. Beyond Dify they carry `iat`, and a token issued
// at or before the account's `tokens_valid_after` (password reset, ban) is refused.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Account, accounts } from "../../db/schema";
import { Unauthorized } from "../../lib/errors";
import { nowSeconds } from "../../lib/ids";
import { PASSPORT_SUBJECT, signToken, verifyToken } from "./passport";

export const LOGIN_TOKEN_SOURCE = "webapp_login_token";

export interface LoginToken {
  sub: string;
  user_id: string;
  session_id: string;
  token_source: string;
  auth_type: "internal" | "external";
  iat?: number;
  exp?: number;
}

/**
 * The issue time to sign into a new token for `account`. Tokens are valid only when issued strictly
 * after `tokens_valid_after`; a sign-in in the very second of a reset is stamped one second later so it
 * survives while tokens from before the reset do not.
 */
export const issueTimeFor = (account: Pick<Account, "tokensValidAfter">): number => Math.max(nowSeconds(), account.tokensValidAfter + 1);

export async function signLoginToken(secretKey: string, account: Account, ttlSeconds: number): Promise<string> {
  const iat = issueTimeFor(account);
  return signToken(secretKey, {
    sub: PASSPORT_SUBJECT,
    user_id: account.id,
    session_id: account.email,
    token_source: LOGIN_TOKEN_SOURCE,
    auth_type: "internal",
    iat,
    exp: nowSeconds() + ttlSeconds,
  } satisfies LoginToken);
}

/** Verifies a login token and loads its account, which must be active and not reset since. 401 otherwise. */
export async function verifyLoginToken(db: Db, secretKey: string, token: string): Promise<{ claims: LoginToken; account: Account }> {
  const claims = await verifyToken<Partial<LoginToken>>(secretKey, token);
  if (claims.token_source !== LOGIN_TOKEN_SOURCE) throw new Unauthorized("Invalid token source. Expected 'webapp_login_token'.");
  if (typeof claims.user_id !== "string" || typeof claims.session_id !== "string") throw new Unauthorized("Invalid token.");
  const account = await db.select().from(accounts).where(eq(accounts.id, claims.user_id)).get();
  if (!account) throw new Unauthorized("Invalid token.");
  if (typeof claims.iat !== "number" || claims.iat <= account.tokensValidAfter) throw new Unauthorized("Authentication has expired.");
  if (account.status !== "active") throw new Unauthorized("Account is banned.");
  return { claims: claims as LoginToken, account };
}
