// What the sign-in services need from a request: storage, settings, the mailer and a way to finish
// work after the response (mail is delivered in the background so response times do not reveal
// whether an address has an account).
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import type { Mailer } from "../../lib/mailer";

export interface SignInDeps {
  db: Db;
  kv: KVNamespace;
  config: Config;
  mailer: Mailer;
  waitUntil(promise: Promise<unknown>): void;
}

/** "in N minutes" / "in N hours" for the rate-limit messages, from a window in seconds. */
export const minutesOf = (seconds: number): number => Math.max(1, Math.ceil(seconds / 60));
export const hoursOf = (seconds: number): number => Math.max(1, Math.ceil(seconds / 3600));
