// Web-app password reset in two phases (spec dify-web-auth.md §4.6–4.8): the mailed code unlocks a
// second, code-less `phase: "reset"` token, and only that token sets a password. Wrong codes lock the
// address for FORGOT_PASSWORD_LOCKOUT_DURATION; a reset kills every older login token and passport.
import { AuthenticationFailed, EmailCodeError, EmailPasswordResetLimit, InvalidEmail, InvalidOrExpiredToken } from "../../lib/errors";
import { normalizeEmail, resetPassword } from "./accounts";
import { clearFailures, reserveAttempt } from "./auth-limits";
import { codeMatches, consumeCode, findCode, issueCode } from "./one-time-codes";
import { hoursOf, type SignInDeps } from "./sign-in-deps";

export async function checkResetCode(deps: SignInDeps, input: { email: string; code: string; token: string }): Promise<{ email: string; token: string }> {
  const { maxFailedAttempts, resetLockout, resetCodeTtl } = deps.config.auth;
  const email = normalizeEmail(input.email);
  if (!(await reserveAttempt(deps.db, "reset", email, maxFailedAttempts, resetLockout))) {
    throw new EmailPasswordResetLimit(`Too many failed password reset attempts. Please try again in ${hoursOf(resetLockout)} hours.`);
  }
  const record = await findCode(deps.kv, input.token, "reset_password");
  if (!record || record.phase !== null) throw new InvalidOrExpiredToken();
  if (record.email !== email) throw new InvalidEmail();
  if (!(await codeMatches(deps.config.secretKey, record, input.code))) throw new EmailCodeError();
  if (!(await consumeCode(deps, record.id))) throw new InvalidOrExpiredToken();
  const next = await issueCode({ db: deps.db, kv: deps.kv, secretKey: deps.config.secretKey }, { kind: "reset_password", email, ttlSeconds: resetCodeTtl, phase: "reset" });
  await clearFailures(deps.db, "reset", email);
  return { email, token: next.token };
}

/** Sets the new password with a second-phase token (the caller has checked the two passwords match). */
export async function resetWithToken(deps: SignInDeps, input: { token: string; password: string }): Promise<void> {
  const record = await findCode(deps.kv, input.token, "reset_password");
  if (!record || record.phase !== "reset") throw new InvalidOrExpiredToken();
  if (!(await consumeCode(deps, record.id))) throw new InvalidOrExpiredToken();
  if (!(await resetPassword(deps.db, record.email, input.password))) throw new AuthenticationFailed();
  // Proving the mailbox is as good as a correct password: lift a sign-in lockout.
  await clearFailures(deps.db, "login", record.email);
}
