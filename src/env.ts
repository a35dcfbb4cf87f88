import type { TaskRunner } from "./tasks/task-runner";

/** Bindings and variables the Worker receives (wrangler.toml, `.dev.vars`, `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  FILES: R2Bucket;
  KV: KVNamespace;
  TASKS: DurableObjectNamespace<TaskRunner>;
  /** Workers AI (optional): speech-to-text and text-to-speech for providers of type workers-ai. */
  AI?: Ai;
  SECRET_KEY?: string;
  ADMIN_API_KEY?: string;
  [name: string]: unknown;
}
