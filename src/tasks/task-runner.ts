// One Durable Object per running task (generation or workflow run). It owns the task's live state:
// event log, subscribers, stop and resume. Filled in by the chat issue; the class and its SQLite
// storage are declared from the start so the wrangler migration never has to change.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class TaskRunner extends DurableObject<Env> {
  async fetch(): Promise<Response> {
    return Response.json({ code: "not_found", message: "No such task.", status: 404 }, { status: 404 });
  }
}
