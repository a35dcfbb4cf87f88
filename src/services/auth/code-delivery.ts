// Mailing a one-time code (email-code sign-in and password reset). Known and unknown addresses take the
// same path — IP limit, account lookup, per-email limit, token issue — and get the same answer; only a
// known address gets a mail, sent after the response. So neither the body, the status nor the timing
// tells whether an account exists (Dify answers 401 for unknown addresses; a deliberate change).
import { EmailCodeLoginRateLimitExceeded, EmailSendIpLimit, PasswordResetRateLimitExceeded } from "../../lib/errors";
import { log } from "../../lib/log";
import { normalizeEmail, findAccountByEmail } from "./accounts";
import { takeMailSlot } from "./auth-limits";
import { type CodePurpose, codeMail, type MailLanguage } from "./mail/auth-messages";
import { MailDeliveryError } from "../../lib/mailer";
import { issueCode } from "./one-time-codes";
import { minutesOf, type SignInDeps } from "./sign-in-deps";

export async function sendCode(deps: SignInDeps, input: { purpose: CodePurpose; email: string; language: MailLanguage; ip: string }): Promise<string> {
  const { db, config } = deps;
  const auth = config.auth;
  if (!(await takeMailSlot(db, "mail_ip", input.ip, auth.mailsPerIpPerMinute, 60))) throw new EmailSendIpLimit();
  const email = normalizeEmail(input.email);
  const account = await findAccountByEmail(db, email);
  if (input.purpose === "login") {
    if (!(await takeMailSlot(db, "login_code_mail", email, auth.loginCodeMailLimit, auth.loginCodeMailWindow))) {
      throw new EmailCodeLoginRateLimitExceeded(`Too many login emails have been sent. Please try again in ${minutesOf(auth.loginCodeMailWindow)} minutes.`);
    }
  } else if (!(await takeMailSlot(db, "reset_mail", email, auth.resetMailLimit, auth.resetMailWindow))) {
    throw new PasswordResetRateLimitExceeded(
      `Too many password reset emails have been sent. Please try again in ${minutesOf(auth.resetMailWindow)} minutes.`,
    );
  }
  const ttlSeconds = input.purpose === "login" ? auth.loginCodeTtl : auth.resetCodeTtl;
  const kind = input.purpose === "login" ? "email_code_login" : "reset_password";
  const { token, code } = await issueCode({ db, kv: deps.kv, secretKey: config.secretKey }, { kind, email, ttlSeconds });
  // A banned account still gets its code: the ban is reported only to whoever can read the mailbox.
  if (account && code) {
    const message = codeMail({ to: account.email, code, purpose: input.purpose, language: input.language, ttlSeconds });
    deps.waitUntil(
      deps.mailer.send(message).catch((err: unknown) => {
        // Neither the address nor the code is logged; provider errors can quote the address.
        const error = err instanceof MailDeliveryError ? err.message : err instanceof Error ? err.name : "unknown";
        log(config, "error", "mail delivery failed", { purpose: input.purpose, provider: config.mail.provider, error });
      }),
    );
  }
  return token;
}
