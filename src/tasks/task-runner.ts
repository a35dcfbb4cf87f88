// One Durable Object per task (task_id): the generation runs here, not in the HTTP request that
// started it. Every event is appended to the object's SQLite log and fanned out to subscribers;
// a subscriber that disconnects only detaches. Stop and resume reach the same object by task id.
// An alarm heartbeat keeps it alive while running, enforces APP_MAX_EXECUTION_TIME, ends a run
// interrupted by eviction as an error, retries a failed D1 write and deletes the log after retention.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { describeError, log } from "../lib/log";
import { SSE_HEADERS } from "../lib/sse";
import { createProvider } from "../llm/factory";
import { estimateMessagesTokens, estimateTokens } from "../llm/tokens";
import type { AiBinding } from "../llm/workers-ai";
import { EventLog, type TaskRow } from "./event-log";
import { type FinalRecord, writeFinalRecord } from "./finalize";
import { type GenerationResult, runGeneration, type StopReason } from "./generation";
import { SpeechStream } from "./speech-stream";
import { Subscribers } from "./subscribers";
import type { GenerationSpec, TaskEvent } from "./types";
import { usageView } from "./usage";

const HEARTBEAT_MS = 15_000;
const FINAL_RETRY_MS = 30_000;
export const INTERRUPTED_MESSAGE =
  "The generation was interrupted before it finished (its task runner was restarted); the partial answer was saved.";

export class TaskRunner extends DurableObject<Env> {
  private log: EventLog;
  private readonly subscribers = new Subscribers();
  /** Set while this instance runs the generation; absent after an eviction or restart. */
  private running: Promise<void> | null = null;
  private stopController: AbortController | null = null;
  private stopReason: StopReason | null = null;
  private readonly waiters: (() => void)[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new EventLog(ctx.storage.sql);
  }

  /** Starts the generation; the caller then subscribes or awaits the outcome. */
  async start(spec: GenerationSpec): Promise<void> {
    if (this.log.task()) throw new Error(`task ${spec.taskId} already exists`);
    this.log.create(spec, Date.now());
    await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
    this.stopController = new AbortController();
    this.running = this.execute(spec);
    this.ctx.waitUntil(this.running);
  }

  /** Stops the task if `endUserId` of `appId` owns it and it is running; otherwise nothing happens. */
  async stop(appId: string, endUserId: string): Promise<void> {
    const task = this.ownTask(appId, endUserId);
    if (task?.status === "running") this.requestStop("user");
  }

  /** Waits for the end and returns every event (blocking mode); null when the task is not theirs. */
  async outcome(appId: string, endUserId: string): Promise<TaskEvent[] | null> {
    if (!(await this.recoverIfInterrupted())) return null;
    const task = this.ownTask(appId, endUserId);
    if (!task) return null;
    if (task.status === "running") await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.log.after(0).map((e) => e.event);
  }

  /** GET /subscribe?cursor&app_id&end_user_id: SSE replay after the cursor, then live events. */
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/subscribe") return new Response(null, { status: 404 });
    await this.recoverIfInterrupted();
    const task = this.ownTask(url.searchParams.get("app_id") ?? "", url.searchParams.get("end_user_id") ?? "");
    if (!task) return new Response(null, { status: 404 });
    const cursor = Number(url.searchParams.get("cursor") ?? 0);
    const backlog = this.log.after(Number.isSafeInteger(cursor) && cursor > 0 ? cursor : 0);
    return new Response(this.subscribers.open(backlog, task.status === "finished"), { headers: SSE_HEADERS });
  }

  async alarm(): Promise<void> {
    const task = this.log.task();
    if (!task) return;
    const now = Date.now();
    if (task.status === "running") {
      if (!(await this.recoverIfInterrupted())) return;
      if (now - task.startedAt > task.spec.limits.maxExecutionSeconds * 1000) this.requestStop("timeout");
      await this.ctx.storage.setAlarm(now + HEARTBEAT_MS);
      return;
    }
    if (task.pendingFinal) {
      try {
        await writeFinalRecord(this.env.DB, JSON.parse(task.pendingFinal) as FinalRecord);
        this.log.setPendingFinal(null);
      } catch (err) {
        log(null, "error", "task final write failed again", { task_id: task.taskId, error: describeError(err) });
        await this.ctx.storage.setAlarm(now + FINAL_RETRY_MS);
        return;
      }
    }
    const expires = (task.finishedAt ?? now) + task.spec.limits.retentionSeconds * 1000;
    if (now >= expires) {
      await this.ctx.storage.deleteAll();
      this.log = new EventLog(this.ctx.storage.sql);
      return;
    }
    await this.ctx.storage.setAlarm(expires);
  }

  private ownTask(appId: string, endUserId: string): TaskRow | null {
    const task = this.log.task();
    return task && task.appId === appId && task.endUserId === endUserId ? task : null;
  }

  private requestStop(reason: StopReason): void {
    this.stopReason ??= reason;
    this.stopController?.abort();
  }

  private emit(spec: Pick<GenerationSpec, "envelope" | "taskId">, fields: Record<string, unknown> & { event: string }): void {
    const { event, ...rest } = fields;
    const wire: TaskEvent = { event, ...spec.envelope, task_id: spec.taskId, ...rest };
    this.subscribers.publish(this.log.append(wire));
  }

  private async execute(spec: GenerationSpec): Promise<void> {
    const provider = createProvider(spec.provider, {
      ai: this.env.AI as unknown as AiBinding | undefined,
      idleTimeoutMs: spec.limits.idleTimeoutMs,
      echoDelayMs: spec.limits.echoDelayMs,
    });
    const deadline = setTimeout(() => this.requestStop("timeout"), spec.limits.maxExecutionSeconds * 1000);
    let result: GenerationResult;
    try {
      const speech = spec.speech
        ? new SpeechStream(spec.provider, spec.speech, { AI: this.env.AI }, (audio) => this.emit(spec, { event: "tts_message", audio }))
        : null;
      result = await runGeneration(
        spec,
        provider,
        (fields) => this.emit(spec, fields),
        { signal: this.stopController!.signal, reason: () => this.stopReason },
        speech,
      );
    } finally {
      clearTimeout(deadline);
    }
    await this.complete(spec, result);
  }

  private async complete(spec: Omit<GenerationSpec, "provider">, result: GenerationResult): Promise<void> {
    const finishedAt = Date.now();
    const record: FinalRecord = {
      messageId: spec.messageId,
      conversationId: spec.conversationId,
      countDialogue: spec.countDialogue,
      activeRequestId: spec.activeRequestId,
      answer: result.answer,
      status: result.status,
      error: result.error,
      usage: result.usage,
      promptMessages: spec.messages,
      finishedAt: Math.floor(finishedAt / 1000),
    };
    let pending: string | null = null;
    try {
      await writeWithRetry(this.env.DB, record);
    } catch (err) {
      log(null, "error", "task final write failed", { task_id: spec.taskId, error: describeError(err) });
      pending = JSON.stringify(record);
    }
    this.log.flush();
    this.log.finish(finishedAt, pending);
    this.running = null;
    this.subscribers.closeAll();
    for (const resolve of this.waiters.splice(0)) resolve();
    await this.ctx.storage.setAlarm(pending ? finishedAt + FINAL_RETRY_MS : finishedAt + spec.limits.retentionSeconds * 1000);
  }

  /**
   * A task recorded as running with no generation in this instance was cut off by an eviction or
   * restart: end it as an error with what it had streamed. Returns false when nothing exists.
   */
  private async recoverIfInterrupted(): Promise<boolean> {
    const task = this.log.task();
    if (!task) return false;
    if (task.status !== "running" || this.running) return true;
    let answer = "";
    for (const { event } of this.log.after(0)) {
      if (event.event === "message") answer += String(event.answer ?? "");
      if (event.event === "message_replace") answer = String(event.answer ?? "");
    }
    const error = { code: "completion_request_error", message: INTERRUPTED_MESSAGE, status: 400 };
    this.emit(task.spec, { event: "error", ...error });
    const tokens = { promptTokens: estimateMessagesTokens(task.spec.messages), completionTokens: estimateTokens(answer) };
    const usage = usageView(tokens, task.spec.pricing, { latency: (Date.now() - task.startedAt) / 1000, timeToFirstToken: null });
    await this.complete(task.spec, { answer, status: "error", error: INTERRUPTED_MESSAGE, usage, stoppedBy: null });
    return true;
  }
}

async function writeWithRetry(d1: D1Database, record: FinalRecord): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFinalRecord(d1, record);
      return;
    } catch (err) {
      if (attempt >= 2) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}
