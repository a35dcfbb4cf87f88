// The workflow program on the TaskRunner: workflow apps (/api/workflows/run) and chatflows
// (advanced-chat, /api/chat-messages). It runs the engine with the run's services, turns the engine's
// events into Dify's wire events (spec dify-web-api.md §5.3–5.5), checkpoints the engine after every
// node and writes the run's rows through the outbox. Beyond Dify, a run cut off by an eviction or a
// deploy continues from its last checkpoint: the nodes that were running run again, and the client's
// text is first reset to what the checkpoint had printed (message_replace / text_replace).
import { getConfig } from "../config";
import type { Statement } from "../db/statements";
import { getDb } from "../db/client";
import { decryptString } from "../lib/crypto";
import { createMailer } from "../lib/mailer";
import { isObject } from "../lib/json";
import { describeError, log } from "../lib/log";
import type { Program, RunContext } from "../tasks/program";
import type { TaskSpecBase } from "../tasks/types";
import { usageView } from "../tasks/usage";
import { Engine, type EngineSnapshot, type RunStatus } from "./engine";
import { buildGraph } from "./graph";
import { nodeDefinition } from "./nodes";
import { conversationVariableUpsert, messageUpdate, nodeInsert, runUpdate } from "./records";
import { runServices } from "./run-services";
import { filesIn, type Json } from "./segments";
import type { WorkflowSettings } from "./types";
import { VariablePool } from "./variable-pool";

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

interface Checkpoint {
  engine: EngineSnapshot;
  /** Text printed to the client so far (the chatflow answer, or a workflow's text chunks). */
  printed: string;
  startedAt: number;
}

export const ROWS_FAILED_MESSAGE = "The run could not be saved; nothing was stored. Please try again.";

async function environmentValues(variables: Json[], secretKey: string): Promise<Json> {
  const out: Json = {};
  for (const v of variables) {
    if (typeof v.name !== "string") continue;
    let value = v.value;
    if (v.value_type === "secret" && typeof value === "string" && value !== "") {
      try {
        value = await decryptString(secretKey, ENV_SECRET_PURPOSE, value);
      } catch {
        value = "";
      }
    }
    out[v.name] = value;
  }
  return out;
}

class WorkflowRun {
  private printed = "";
  private readonly spec: WorkflowSpec;

  constructor(private readonly ctx: RunContext<WorkflowSpec>) {
    this.spec = ctx.spec;
  }

  private get chat(): ChatflowPart | null {
    return this.spec.chat;
  }

  /** A workflow event in its app type's envelope. */
  emitWorkflow(event: string, data: Json): void {
    const { spec } = this;
    if (this.chat) this.ctx.emit({ event, ...this.chat.envelope, task_id: spec.taskId, workflow_run_id: spec.taskId, data });
    else this.ctx.emit({ event, workflow_run_id: spec.taskId, task_id: spec.taskId, data });
  }

  emitText(text: string, selector: string[]): void {
    this.printed += text;
    if (this.chat) this.ctx.emit({ event: "message", ...this.chat.envelope, task_id: this.spec.taskId, id: this.chat.messageId, answer: text, from_variable_selector: selector });
    else this.emitWorkflow("text_chunk", { text, from_variable_selector: selector });
  }

  private replaceText(text: string): void {
    this.printed = text;
    if (this.chat) this.ctx.emit({ event: "message_replace", ...this.chat.envelope, task_id: this.spec.taskId, answer: text, reason: "" });
    else this.emitWorkflow("text_replace", { text });
  }

  private started(reason: "initial" | "resumption"): void {
    const { spec } = this;
    this.emitWorkflow("workflow_started", { id: spec.taskId, workflow_id: spec.workflowId, inputs: spec.inputs, created_at: spec.createdAt, reason });
  }

  async run(): Promise<RunStatus> {
    const { ctx, spec } = this;
    const checkpoint = ctx.phase === "start" ? null : ctx.restore<Checkpoint>();
    const startedAt = checkpoint?.startedAt ?? Date.now();
    let rowsFailed = false;
    const rows =
      ctx.phase === "start"
        ? ctx.write(spec.rows, { label: "workflow rows", critical: true }).catch(() => {
            rowsFailed = true;
          })
        : Promise.resolve();
    if (ctx.phase === "start") this.started("initial");
    if (ctx.phase === "resume") this.started("resumption");
    if (checkpoint && ctx.phase === "recover") this.replaceText(checkpoint.printed);
    else this.printed = checkpoint?.printed ?? "";

    const config = getConfig(ctx.env);
    const graph = buildGraph(spec.graph);
    const pool = checkpoint
      ? new VariablePool(checkpoint.engine.pool)
      : new VariablePool({
          sys: spec.system,
          env: await environmentValues(spec.environment, config.secretKey),
          conversation: spec.conversationVariables,
          [graph.rootId]: spec.inputs,
        });
    const services = runServices(
      ctx.env,
      {
        runId: spec.taskId,
        appId: spec.appId,
        tenantId: spec.tenantId,
        endUserId: spec.endUserId,
        userId: spec.userSessionId,
        conversationId: this.chat?.conversationId ?? null,
        messageId: this.chat?.messageId ?? null,
        parentMessageId: this.chat?.parentMessageId ?? null,
      },
      {
        settings: spec.settings,
        secretKey: config.secretKey,
        defaultModelProvider: spec.runtime.defaultModelProvider,
        cacheTtlSeconds: spec.limits.cacheTtlSeconds,
        idleTimeoutMs: spec.limits.idleTimeoutMs,
        echoDelayMs: spec.limits.echoDelayMs,
        signer: { secretKey: config.secretKey, baseUrl: spec.runtime.filesBaseUrl, accessTimeout: spec.runtime.filesAccessTimeout },
        ssrf: spec.runtime.ssrf,
        webBaseUrl: spec.runtime.webBaseUrl,
        write: (statements, options) => ctx.write(statements, options),
        mail: (message) => createMailer(config.mail, ctx.env, getDb(ctx.env.DB)).send(message),
      },
    );
    const runRef = { id: spec.taskId, tenantId: spec.tenantId, appId: spec.appId, workflowId: spec.workflowId, endUserId: spec.endUserId };
    const engine = new Engine({
      graph,
      container: null,
      rootId: graph.rootId,
      pool,
      services,
      registry: nodeDefinition,
      signal: ctx.signal,
      sink: {
        event: (event, data) => this.emitWorkflow(event, data),
        chunk: (text, selector) => this.emitText(text, selector),
        record: (record) => void ctx.write([nodeInsert(runRef, record)], { label: "workflow node" }),
        variableUpdated: (selector, value) => {
          if (selector[0] !== "conversation" || !this.chat) return;
          void ctx.write([conversationVariableUpsert(spec.appId, this.chat.conversationId, selector[1], value, Math.floor(Date.now() / 1000))], { label: "conversation variable" });
        },
      },
      tags: {},
      counters: checkpoint?.engine.counters ?? { steps: 0, index: 0, tokens: 0, exceptions: 0 },
      deadline: startedAt + spec.settings.maxExecutionSeconds * 1000,
      maxSteps: spec.settings.maxSteps,
      maxExecutionSeconds: spec.settings.maxExecutionSeconds,
      snapshot: checkpoint?.engine,
      checkpoint: (engineState) => ctx.checkpoint({ engine: engineState, printed: this.printed, startedAt } satisfies Checkpoint),
      resumeData: ctx.phase === "resume" && isObject(ctx.resumePayload) && isObject(ctx.resumePayload.nodes) ? (ctx.resumePayload.nodes as Record<string, unknown>) : undefined,
    });
    const result = await engine.run();
    await rows;
    if (rowsFailed) {
      this.ctx.emit({ event: "error", ...(this.chat?.envelope ?? {}), task_id: spec.taskId, code: "internal_server_error", message: ROWS_FAILED_MESSAGE, status: 500 });
      return "failed";
    }
    if (result.status === "paused") return "paused";
    let status: RunStatus = result.status;
    let error = result.error;
    if (status === "stopped") error = ctx.stopReason() === "timeout" ? `Max execution time ${spec.limits.maxExecutionSeconds}s reached.` : "Stopped by user.";
    const finishedAt = Date.now();
    const elapsed = Math.round(finishedAt - startedAt) / 1000;
    const counters = engine.snapshot().counters;
    const outputs = this.chat ? { answer: this.printed } : result.outputs;
    if (this.chat) {
      const usage = usageView({ promptTokens: 0, completionTokens: counters.tokens }, null, { latency: elapsed, timeToFirstToken: null });
      if (status !== "failed") {
        this.ctx.emit({ event: "message_end", ...this.chat.envelope, task_id: spec.taskId, id: this.chat.messageId, metadata: { annotation_reply: null, retriever_resources: [], usage }, files: this.chat.files });
      }
      void ctx.write(
        messageUpdate({
          messageId: this.chat.messageId,
          conversationId: this.chat.conversationId,
          runId: spec.taskId,
          answer: this.printed,
          status: status === "failed" ? "error" : "normal",
          error: status === "failed" ? `Run failed: ${error}` : null,
          tokens: counters.tokens,
          latency: elapsed,
          finishedAt: Math.floor(finishedAt / 1000),
          countDialogue: this.chat.countDialogue,
        }),
        { label: "chatflow message", fallback: messageUpdate({ messageId: this.chat.messageId, conversationId: this.chat.conversationId, runId: spec.taskId, answer: "", status: "error", error: "The answer was too large to store.", tokens: counters.tokens, latency: elapsed, finishedAt: Math.floor(finishedAt / 1000), countDialogue: this.chat.countDialogue }) },
      );
    }
    this.emitWorkflow("workflow_finished", {
      id: spec.taskId,
      workflow_id: spec.workflowId,
      status,
      outputs,
      error,
      elapsed_time: elapsed,
      total_tokens: counters.tokens,
      total_steps: counters.steps,
      created_by: { id: spec.endUserId, user: spec.userSessionId },
      created_at: spec.createdAt,
      finished_at: Math.floor(finishedAt / 1000),
      exceptions_count: counters.exceptions,
      files: filesIn(Object.values(outputs)),
    });
    if (this.chat && status === "failed") {
      // As Dify's advanced-chat pipeline: a failed run also ends with an error event (a ValueError).
      this.ctx.emit({ event: "error", ...this.chat.envelope, task_id: spec.taskId, code: "invalid_param", message: `Run failed: ${error}`, status: 400 });
    }
    const end = { status, outputs, error, elapsed, tokens: counters.tokens, steps: counters.steps, exceptions: counters.exceptions, finishedAt: Math.floor(finishedAt / 1000) };
    void ctx.write([runUpdate(spec.taskId, end)], { label: "workflow run", fallback: [runUpdate(spec.taskId, end, false)] });
    return status;
  }
}

export const workflowProgram: Program<WorkflowSpec> = {
  durable: (spec) => spec,
  async run(ctx) {
    const status = await new WorkflowRun(ctx).run();
    return { status: status === "paused" ? "paused" : "finished" };
  },
  crashed(ctx, error) {
    const { spec } = ctx;
    log(null, "error", "workflow run crashed", { task_id: spec.taskId, error: describeError(error) });
    const run = new WorkflowRun(ctx);
    const message = "Internal Server Error, please contact support.";
    run.emitWorkflow("workflow_finished", {
      id: spec.taskId,
      workflow_id: spec.workflowId,
      status: "failed",
      outputs: {},
      error: message,
      elapsed_time: 0,
      total_tokens: 0,
      total_steps: 0,
      created_by: { id: spec.endUserId, user: spec.userSessionId },
      created_at: spec.createdAt,
      finished_at: Math.floor(Date.now() / 1000),
      exceptions_count: 0,
      files: [],
    });
    if (spec.chat) ctx.emit({ event: "error", ...spec.chat.envelope, task_id: spec.taskId, code: "internal_server_error", message, status: 500 });
    const end = { status: "failed" as const, outputs: null, error: message, elapsed: 0, tokens: 0, steps: 0, exceptions: 0, finishedAt: Math.floor(Date.now() / 1000) };
    void ctx.write([runUpdate(spec.taskId, end)], { label: "workflow run" });
    if (spec.chat) {
      void ctx.write(
        messageUpdate({ messageId: spec.chat.messageId, conversationId: spec.chat.conversationId, runId: spec.taskId, answer: "", status: "error", error: message, tokens: 0, latency: 0, finishedAt: end.finishedAt, countDialogue: spec.chat.countDialogue }),
        { label: "chatflow message" },
      );
    }
  },
};
