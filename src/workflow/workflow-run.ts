// One phase of a workflow run inside its TaskRunner: a start, a resume (a form submission, a form
// timeout, a stop while paused) or a recovery after an eviction. It rebuilds the engine from the
// checkpoint, runs it, and ends the phase: finished (workflow_finished, the run's and message's rows),
// or paused for a person (workflow_paused, the forms' deadlines as the object's wake-up time).
import { and, eq } from "drizzle-orm";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { humanInputForms } from "../db/schema";
import { statement, statementBuilder } from "../db/statements";
import { isObject } from "../lib/json";
import { createMailer } from "../lib/mailer";
import type { RunContext } from "../tasks/program";
import { usageView } from "../tasks/usage";
import { type Counters, Engine, type EngineResult, type EngineSnapshot, formPauses, type RunStatus } from "./engine";
import { buildGraph } from "./graph";
import { type FormPause, requiredPayload } from "./nodes/human-input";
import { nodeDefinition } from "./nodes";
import { type ChatflowPart, ENV_SECRET_PURPOSE, type WorkflowSpec } from "./program";
import { decryptString } from "../lib/crypto";
import { conversationVariableUpsert, messageUpdate, nodeInsert, runUpdate } from "./records";
import { runServices } from "./run-services";
import { filesIn, type Json } from "./segments";
import { VariablePool } from "./variable-pool";

export interface Checkpoint {
  engine: EngineSnapshot;
  /** Text printed to the client so far (the chatflow answer, or a workflow's text chunks). */
  printed: string;
  startedAt: number;
  /** Milliseconds the run has been running before this invocation: time paused for people does not count against WORKFLOW_MAX_EXECUTION_TIME. */
  activeMs?: number;
}

const now = () => Math.floor(Date.now() / 1000);
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


const FORM_EXPIRED = "The human input form expired before anyone answered it.";

export class WorkflowRun {
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

  private emitText(text: string, selector: string[]): void {
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

  /**
   * What a resume continues with: the nodes it resumes (a submission, or forms whose deadline passed),
   * "expired" when a form passed the global deadline (the run stops), or null when nothing is due yet.
   */
  private async resumeTargets(checkpoint: Checkpoint): Promise<Record<string, unknown> | "expired" | "stop" | null> {
    const payload = isObject(this.ctx.resumePayload) ? this.ctx.resumePayload : {};
    if (payload.stop === true) return "stop";
    if (isObject(payload.nodes)) return payload.nodes;
    if (payload.wake !== true) return null;
    // Forms inside a paused loop or iteration count too: they are due by the inner node's id.
    const pauses = Object.entries(formPauses(checkpoint.engine.pauses)) as unknown as [string, FormPause][];
    const at = now();
    const global = this.spec.settings.humanInputGlobalTimeout;
    if (global > 0 && pauses.some(([, p]) => at >= p.created_at + global)) return "expired";
    const due: Record<string, unknown> = {};
    for (const [nodeId, pause] of pauses) {
      if (at < pause.definition.expiration_time) continue;
      // The form row decides between a submission and the timeout: exactly one of them changes it.
      const result = await this.ctx.env.DB.prepare("UPDATE human_input_forms SET status = 'timeout', updated_at = ? WHERE id = ? AND status = 'waiting'").bind(at, pause.form_id).run();
      if (result.meta.changes === 1) due[nodeId] = { kind: "timeout" };
    }
    return Object.keys(due).length ? due : null;
  }

  async run(): Promise<RunStatus> {
    const { ctx, spec } = this;
    const checkpoint = ctx.phase === "start" ? null : ctx.restore<Checkpoint>();
    const startedAt = checkpoint?.startedAt ?? Date.now();
    this.printed = checkpoint?.printed ?? "";
    let resumeData: Record<string, unknown> | undefined;
    if (ctx.phase === "resume" && checkpoint) {
      const targets = await this.resumeTargets(checkpoint);
      if (targets === null) {
        this.armWake(checkpoint.engine.pauses);
        return "paused";
      }
      if (targets === "expired" || targets === "stop") {
        if (targets === "expired") await this.expireForms();
        return this.finish({ status: "stopped", error: targets === "expired" ? FORM_EXPIRED : "Stopped by user.", outputs: {}, counters: checkpoint.engine.counters, startedAt });
      }
      resumeData = targets;
      this.started("resumption");
    }
    let rowsFailed = false;
    const rows =
      ctx.phase === "start"
        ? ctx.write(spec.rows, { label: "workflow rows", critical: true }).catch(() => {
            rowsFailed = true;
          })
        : Promise.resolve();
    if (ctx.phase === "start") this.started("initial");
    if (checkpoint && ctx.phase === "recover") this.replaceText(checkpoint.printed);

    const engine = await this.engine(checkpoint, startedAt, resumeData);
    const result = await engine.run();
    await rows;
    if (rowsFailed) {
      ctx.emit({ event: "error", ...(this.chat?.envelope ?? {}), task_id: spec.taskId, code: "internal_server_error", message: ROWS_FAILED_MESSAGE, status: 500 });
      return "failed";
    }
    const counters = engine.snapshot().counters;
    if (result.status === "paused") return this.pause(result, counters, startedAt);
    let error = result.error;
    if (result.status === "stopped") error = ctx.stopReason() === "timeout" ? `Max execution time ${spec.limits.maxExecutionSeconds}s reached.` : "Stopped by user.";
    return this.finish({ status: result.status, error, outputs: result.outputs, counters, startedAt });
  }

  private async engine(checkpoint: Checkpoint | null, startedAt: number, resumeData: Record<string, unknown> | undefined): Promise<Engine> {
    const { ctx, spec } = this;
    const config = getConfig(ctx.env);
    const graph = buildGraph(spec.graph);
    const segmentStart = checkpoint ? Date.now() : startedAt;
    const activeBefore = checkpoint?.activeMs ?? 0;
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
    return new Engine({
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
          void ctx.write([conversationVariableUpsert(spec.appId, this.chat.conversationId, selector[1], value, now())], { label: "conversation variable" });
        },
      },
      tags: {},
      counters: checkpoint?.engine.counters ?? { steps: 0, index: 0, tokens: 0, exceptions: 0 },
      deadline: segmentStart + spec.settings.maxExecutionSeconds * 1000 - activeBefore,
      maxSteps: spec.settings.maxSteps,
      maxExecutionSeconds: spec.settings.maxExecutionSeconds,
      snapshot: checkpoint?.engine,
      checkpoint: (engineState) =>
        ctx.checkpoint({ engine: engineState, printed: this.printed, startedAt, activeMs: activeBefore + (Date.now() - segmentStart) } satisfies Checkpoint),
      resumeData,
    });
  }

  /** The run waits for people: workflow_paused, the run and message marked paused, the earliest deadline as the wake-up. */
  private pause(result: EngineResult, counters: Counters, startedAt: number): RunStatus {
    const { ctx, spec } = this;
    const elapsed = Math.round(Date.now() - startedAt) / 1000;
    const forms = formPauses(result.pauses);
    const reasons = (Object.values(forms) as unknown as FormPause[]).map((p) => ({ TYPE: "human_input_required", ...requiredPayload(p) }));
    this.emitWorkflow("workflow_paused", {
      workflow_run_id: spec.taskId,
      paused_nodes: Object.keys(forms),
      outputs: result.outputs,
      reasons,
      status: "paused",
      created_at: spec.createdAt,
      elapsed_time: elapsed,
      total_tokens: counters.tokens,
      total_steps: counters.steps,
    });
    const end = { status: "paused" as const, outputs: result.outputs, error: null, elapsed, tokens: counters.tokens, steps: counters.steps, exceptions: counters.exceptions, finishedAt: null };
    void ctx.write([runUpdate(spec.taskId, end)], { label: "workflow run paused" });
    if (this.chat) void ctx.write(messageUpdate(this.messageEnd("paused", null, counters, elapsed)), { label: "chatflow message paused" });
    this.armWake(result.pauses);
    return "paused";
  }

  private armWake(pauses: Record<string, Json>): void {
    const global = this.spec.settings.humanInputGlobalTimeout;
    const deadlines = (Object.values(formPauses(pauses)) as unknown as FormPause[]).flatMap((p) => [p.definition.expiration_time, ...(global > 0 ? [p.created_at + global] : [])]);
    this.ctx.wakeAt(deadlines.length ? Math.min(...deadlines) * 1000 : null);
  }

  private async expireForms(): Promise<void> {
    await this.ctx.env.DB.prepare("UPDATE human_input_forms SET status = 'expired', updated_at = ? WHERE workflow_run_id = ? AND status = 'waiting'").bind(now(), this.spec.taskId).run();
  }

  private messageEnd(status: "normal" | "error" | "paused", error: string | null, counters: Counters, elapsed: number) {
    const chat = this.chat!;
    return {
      messageId: chat.messageId,
      conversationId: chat.conversationId,
      runId: this.spec.taskId,
      answer: this.printed,
      status,
      error,
      tokens: counters.tokens,
      latency: elapsed,
      finishedAt: now(),
      countDialogue: chat.countDialogue && status !== "paused",
    };
  }

  /** The end of the run: message_end (chatflows), workflow_finished, the rows; forms still waiting expire. */
  finish(end: { status: Exclude<RunStatus, "paused">; error: string | null; outputs: Json; counters: Counters; startedAt: number }): RunStatus {
    const { ctx, spec } = this;
    const { status, error, counters } = end;
    const finishedAt = Date.now();
    const elapsed = Math.round(finishedAt - end.startedAt) / 1000;
    const outputs = this.chat ? { answer: this.printed } : end.outputs;
    if (this.chat) {
      if (status !== "failed") {
        const usage = usageView({ promptTokens: 0, completionTokens: counters.tokens }, null, { latency: elapsed, timeToFirstToken: null });
        ctx.emit({ event: "message_end", ...this.chat.envelope, task_id: spec.taskId, id: this.chat.messageId, metadata: { annotation_reply: null, retriever_resources: [], usage }, files: this.chat.files });
      }
      const message = this.messageEnd(status === "failed" ? "error" : "normal", status === "failed" ? `Run failed: ${error}` : null, counters, elapsed);
      void ctx.write(messageUpdate(message), { label: "chatflow message", fallback: messageUpdate({ ...message, status: "error", error: "The answer was too large to store." }, "") });
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
      ctx.emit({ event: "error", ...this.chat.envelope, task_id: spec.taskId, code: "invalid_param", message: `Run failed: ${error}`, status: 400 });
    }
    const row = { status, outputs, error, elapsed, tokens: counters.tokens, steps: counters.steps, exceptions: counters.exceptions, finishedAt: Math.floor(finishedAt / 1000) };
    void ctx.write([runUpdate(spec.taskId, row)], { label: "workflow run", fallback: [runUpdate(spec.taskId, row, false)] });
    const db = statementBuilder();
    void ctx.write([statement(db.update(humanInputForms).set({ status: "expired", updatedAt: now() }).where(and(eq(humanInputForms.workflowRunId, spec.taskId), eq(humanInputForms.status, "waiting"))))], { label: "forms of a finished run" });
    return status;
  }
}
