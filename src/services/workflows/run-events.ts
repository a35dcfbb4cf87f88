// GET /api/workflow/{run_id}/events (spec dify-web-api.md §4.27, §6.2): which view of the run's
// events a request asks for, and — when the run's TaskRunner has already deleted its log — the one
// workflow_finished frame Dify answers for a finished run, built from its workflow_runs row.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { messages, workflowRuns } from "../../db/schema";
import { InvalidParam, NotFound } from "../../lib/errors";
import { eventFrame } from "../../lib/sse";
import type { Owner, SubscribeRequest } from "../../tasks/types";
import { subscribeTask } from "../../tasks/client";
import type { Env } from "../../env";

const TERMINAL = ["workflow_finished", "workflow_paused"];

export function runEventsRequest(options: { cursor: string | undefined; snapshot: boolean }): SubscribeRequest {
  if (options.cursor !== undefined && options.cursor !== "") {
    if (!/^\d{1,15}$/.test(options.cursor)) throw new InvalidParam("Last-Event-ID must be a non-negative integer", "Last-Event-ID");
    return { cursor: Number(options.cursor) };
  }
  return { view: options.snapshot ? "snapshot" : "plain", closeOn: TERMINAL, finalEvent: "workflow_finished" };
}

/** workflow_finished of a finished run from its row (the TaskRunner's log is gone after retention). */
async function finishedFrame(db: Db, runId: string, owner: Owner): Promise<ReadableStream<Uint8Array> | null> {
  const run = await db
    .select()
    .from(workflowRuns)
    .where(and(eq(workflowRuns.id, runId), eq(workflowRuns.appId, owner.appId), eq(workflowRuns.createdByRole, "end_user"), eq(workflowRuns.createdBy, owner.endUserId)))
    .get();
  if (!run || run.finishedAt === null) return null;
  const message = run.type === "chat" ? await db.select({ id: messages.id, conversationId: messages.conversationId, createdAt: messages.createdAt }).from(messages).where(eq(messages.workflowRunId, runId)).get() : null;
  const envelope = message ? { conversation_id: message.conversationId, message_id: message.id, created_at: message.createdAt } : {};
  const event = {
    event: "workflow_finished",
    ...envelope,
    task_id: runId,
    workflow_run_id: runId,
    data: {
      id: runId,
      workflow_id: run.workflowId,
      status: run.status,
      outputs: run.outputs ?? {},
      error: run.error,
      elapsed_time: run.elapsedTime,
      total_tokens: run.totalTokens,
      total_steps: run.totalSteps,
      created_by: {},
      created_at: run.createdAt,
      finished_at: run.finishedAt,
      exceptions_count: run.exceptionsCount,
      files: [],
    },
  };
  return new Blob([eventFrame(null, event)]).stream();
}

export async function runEventStream(env: Env, db: Db, runId: string, owner: Owner, request: SubscribeRequest): Promise<ReadableStream<Uint8Array>> {
  try {
    return await subscribeTask(env, runId, owner, request);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
    const frame = "cursor" in request ? null : await finishedFrame(db, runId, owner);
    if (frame) return frame;
    throw new NotFound(`WorkflowRun not found, id=${runId}`);
  }
}
