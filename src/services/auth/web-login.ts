// Web-app sign-in: email + password and email + one-time code (spec dify-web-auth.md §4.1, §4.5).
// Beyond Dify: wrong passwords and codes lock the address after LOGIN_MAX_FAILED_ATTEMPTS, unknown
// addresses cost the same work as known ones, and a ban is only revealed after a correct password.
import { AccountBanned, AuthenticationFailed, EmailCodeError, EmailPasswordLoginLimit, InvalidEmail, InvalidOrExpiredToken } from "../../lib/errors";
import { findAccountByEmail, normalizeEmail, recordLogin } from "./accounts";
import { clearFailures, reserveAttempt } from "./auth-limits";
import { signLoginToken } from "./login-tokens";
import { codeMatches, consumeCode, findCode } from "./one-time-codes";
import { verifyPassword } from "./passwords";
import type { SignInDeps } from "./sign-in-deps";
import type { Account } from "../../db/schema";

async function reserveLoginAttempt(deps: SignInDeps, email: string, message?: string): Promise<void> {
  const { maxFailedAttempts, loginLockout } = deps.config.auth;
  if (!(await reserveAttempt(deps.db, "login", email, maxFailedAttempts, loginLockout))) throw new EmailPasswordLoginLimit(message);
}

async function signIn(deps: SignInDeps, account: Account): Promise<string> {
  await clearFailures(deps.db, "login", account.email);
  deps.waitUntil(recordLogin(deps.db, account.id));
  return signLoginToken(deps.config.secretKey, account, deps.config.auth.accessTokenTtl);
}

/** Returns a login token, or throws authentication_failed / account_banned / the lockout. */
export async function passwordLogin(deps: SignInDeps, input: { email: string; password: string }): Promise<string> {
  const email = normalizeEmail(input.email);
  await reserveLoginAttempt(deps, email);
  const account = await findAccountByEmail(deps.db, email);
  if (!(await verifyPassword(input.password, account)) || !account) throw new AuthenticationFailed();
  if (account.status !== "active") throw new AccountBanned();
  return signIn(deps, account);
}

/** Exchanges a mailed code for a login token; the token is single use and wrong codes count. */
export async function codeLogin(deps: SignInDeps, input: { email: string; code: string; token: string }): Promise<string> {
  const email = normalizeEmail(input.email);
  await reserveLoginAttempt(deps, email, "Too many incorrect codes. Please try again later.");
  const record = await findCode(deps.kv, input.token, "email_code_login");
  if (!record) throw new InvalidOrExpiredToken();
  if (record.email !== email) throw new InvalidEmail();
  if (!(await codeMatches(deps.config.secretKey, record, input.code))) throw new EmailCodeError();
  if (!(await consumeCode(deps, record.id))) throw new InvalidOrExpiredToken();
  const account = await findAccountByEmail(deps.db, email);
  if (!account) throw new AuthenticationFailed();
  if (account.status !== "active") throw new AccountBanned();
  return signIn(deps, account);
}
