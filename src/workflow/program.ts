// The workflow program on the TaskRunner: workflow apps (/api/workflows/run) and chatflows
// (advanced-chat, /api/chat-messages). It runs the engine with the run's services, turns the engine's
// events into Dify's wire events (spec dify-web-api.md §5.3–5.5), checkpoints the engine after every
// node and writes the run's rows through the outbox. Beyond Dify, a run cut off by an eviction or a
// deploy continues from its last checkpoint: the nodes that were running run again, and the client's
// text is first reset to what the checkpoint had printed (message_replace / text_replace).
import type { Statement } from "../db/statements";
import { describeError, log } from "../lib/log";
import type { Program } from "../tasks/program";
import type { TaskSpecBase } from "../tasks/types";
import type { Json } from "./segments";
import type { WorkflowSettings } from "./types";
import { workflowSnapshot } from "./snapshot";
import { WorkflowRun } from "./workflow-run";

/** Secret environment variables are stored encrypted with this purpose (services/apps/app-import.ts). */
export const ENV_SECRET_PURPOSE = "workflow-env-secret";

export interface ChatflowPart {
  messageId: string;
  conversationId: string;
  parentMessageId: string | null;
  /** conversation_id, message_id, created_at — the envelope of every chatflow event. */
  envelope: Json;
  /** message_end `files` (the request's files). */
  files: unknown[];
  countDialogue: boolean;
}

export interface WorkflowSpec extends TaskSpecBase {
  kind: "workflow";
  mode: "workflow" | "advanced-chat";
  tenantId: string;
  workflowId: string;
  graph: Json;
  /** Start inputs (validated; file inputs as Dify file objects). */
  inputs: Json;
  /** sys.* values. */
  system: Json;
  /** The workflow's environment variables (secret values still encrypted). */
  environment: Json[];
  /** conversation.* values at the start (chatflows). */
  conversationVariables: Json;
  chat: ChatflowPart | null;
  /** sys.user_id: the end user's session id, shown in workflow_finished.created_by. */
  userSessionId: string;
  createdAt: number;
  /** The run row (and, for chatflows, the conversation and message rows): written before anything else lands. */
  rows: Statement[];
  settings: WorkflowSettings;
  runtime: {
    defaultModelProvider: string;
    filesBaseUrl: string;
    filesAccessTimeout: number;
    /** Origin of the end-user pages (links in human-input mails). */
    webBaseUrl: string;
    ssrf: { allowedHosts: string[]; dnsResolver: string | null; timeoutSeconds: number; maxRedirects: number };
  };
}

export const workflowProgram: Program<WorkflowSpec> = {
  durable: (spec) => spec,
  snapshot: workflowSnapshot,
  async run(ctx) {
    const status = await new WorkflowRun(ctx).run();
    return { status: status === "paused" ? "paused" : "finished" };
  },
  crashed(ctx, error) {
    log(null, "error", "workflow run crashed", { task_id: ctx.spec.taskId, error: describeError(error) });
    const message = "Internal Server Error, please contact support.";
    const run = new WorkflowRun(ctx);
    run.finish({ status: "failed", error: message, outputs: {}, counters: { steps: 0, index: 0, tokens: 0, exceptions: 0 }, startedAt: Date.now() });
  },
};
