// Sign-in and reset mails in English and Simplified Chinese (Dify honours only `language: "zh-Hans"`;
// anything else is English). Plain text plus a simple HTML part; no user input is interpolated.
import type { MailMessage } from "../../../lib/mailer";

export type MailLanguage = "en-US" | "zh-Hans";
export type CodePurpose = "login" | "reset";

export const mailLanguage = (language: string | undefined): MailLanguage => (language === "zh-Hans" ? "zh-Hans" : "en-US");

interface Texts {
  subject: string;
  intro: string;
  expiry: (minutes: number) => string;
  ignore: string;
}

const TEXTS: Record<MailLanguage, Record<CodePurpose, Texts>> = {
  "en-US": {
    login: {
      subject: "Your sign-in code",
      intro: "Use this code to sign in:",
      expiry: (m) => `The code expires in ${m} minutes and works once.`,
      ignore: "If you did not try to sign in, you can ignore this email.",
    },
    reset: {
      subject: "Reset your password",
      intro: "Use this code to reset your password:",
      expiry: (m) => `The code expires in ${m} minutes and works once.`,
      ignore: "If you did not ask to reset your password, you can ignore this email; your password stays unchanged.",
    },
  },
  "zh-Hans": {
    login: {
      subject: "您的登录验证码",
      intro: "请使用以下验证码登录：",
      expiry: (m) => `验证码 ${m} 分钟内有效，且只能使用一次。`,
      ignore: "如果这不是您本人的操作，请忽略此邮件。",
    },
    reset: {
      subject: "重置您的密码",
      intro: "请使用以下验证码重置密码：",
      expiry: (m) => `验证码 ${m} 分钟内有效，且只能使用一次。`,
      ignore: "如果您没有申请重置密码，请忽略此邮件，您的密码不会改变。",
    },
  },
};

export function codeMail(input: { to: string; code: string; purpose: CodePurpose; language: MailLanguage; ttlSeconds: number }): MailMessage {
  const t = TEXTS[input.language][input.purpose];
  const minutes = Math.max(1, Math.ceil(input.ttlSeconds / 60));
  const text = `${t.intro}\n\n${input.code}\n\n${t.expiry(minutes)}\n${t.ignore}\n`;
  const html =
    `<!doctype html><html lang="${input.language}"><body style="font-family:sans-serif;color:#1d1d1f">` +
    `<p>${t.intro}</p><p style="font-size:28px;font-weight:bold;letter-spacing:6px">${input.code}</p>` +
    `<p>${t.expiry(minutes)}</p><p style="color:#666">${t.ignore}</p></body></html>`;
  return { to: input.to, subject: t.subject, text, html };
}
