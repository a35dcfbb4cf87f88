import type { TaskRunner } from "./tasks/task-runner";

/** Bindings and variables the Worker receives (wrangler.toml, `.dev.vars`, `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  FILES: R2Bucket;
  KV: KVNamespace;
  TASKS: DurableObjectNamespace<TaskRunner>;
  /** Workers AI (the workers-ai model provider); speech-to-text and text-to-speech; unsupported under `wrangler dev --local`. */
  AI?: Ai;
  /** Cloudflare Email Service binding, used when MAIL_PROVIDER=send_email (local dev simulates it). */
  EMAIL?: SendEmail;
  /** Workers Static Assets (web/dist): the pages' shells, scripts and styles. */
  ASSETS?: Fetcher;
  SECRET_KEY?: string;
  ADMIN_API_KEY?: string;
  [name: string]: unknown;
}
