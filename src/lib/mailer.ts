// One Mailer interface, three backends chosen by MAIL_PROVIDER: `outbox` keeps mail in D1 for local
// development (GET /admin/outbox), `send_email` uses Cloudflare's Email Service binding, `resend` calls
// Resend's HTTP API. Sign-in flows only ever see `Mailer`.
import type { MailConfig } from "../config";
import type { Db } from "../db/client";
import { mailOutbox } from "../db/schema";
import type { Env } from "../env";
import { uuidv7 } from "./ids";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export class MailDeliveryError extends Error {}

/** "Name <address>" or a bare address, as MAIL_FROM may be written. */
export function parseSender(from: string): { email: string; name?: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(from);
  if (!match) return { email: from.trim() };
  const name = match[1].replace(/^"(.*)"$/, "$1");
  return name ? { email: match[2], name } : { email: match[2] };
}

export class OutboxMailer implements Mailer {
  constructor(private readonly db: Db) {}

  async send(message: MailMessage): Promise<void> {
    await this.db.insert(mailOutbox).values({ id: uuidv7(), recipient: message.to.toLowerCase(), ...message });
  }
}

export class SendEmailMailer implements Mailer {
  constructor(
    private readonly binding: SendEmail,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const sender = parseSender(this.from);
    await this.binding.send({
      from: sender.name ? { email: sender.email, name: sender.name } : sender.email,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  }
}

export class ResendMailer implements Mailer {
  constructor(private readonly config: Pick<MailConfig, "resendApiKey" | "resendApiUrl" | "from">) {}

  async send(message: MailMessage): Promise<void> {
    const res = await fetch(`${this.config.resendApiUrl}/emails`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.config.resendApiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ from: this.config.from, to: [message.to], subject: message.subject, text: message.text, html: message.html }),
    });
    // The body is drained either way so the connection is released; only the status is reported.
    await res.arrayBuffer();
    if (!res.ok) throw new MailDeliveryError(`Resend answered HTTP ${res.status}`);
  }
}

export function createMailer(config: MailConfig, env: Env, db: Db): Mailer {
  switch (config.provider) {
    case "send_email":
      // readConfig already refused MAIL_PROVIDER=send_email without the binding.
      return new SendEmailMailer(env.EMAIL!, config.from);
    case "resend":
      return new ResendMailer(config);
    case "outbox":
      return new OutboxMailer(db);
  }
}
