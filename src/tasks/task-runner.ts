// One Durable Object per task (task_id): the run happens here, not in the HTTP request that started
// it. The runner hosts a program chosen by the spec's kind and alone owns what every kind of run
// shares: the event log and its subscribers (replay after a cursor, then live), stop, pause and
// resume (check-and-set on the task record), the outbox of D1 writes, and the end — one complete()
// that cannot fail: whatever the program or D1 does, subscribers close, waiters wake, the slot is
// released and the alarm is armed. The alarm is the heartbeat while running (it enforces
// APP_MAX_EXECUTION_TIME and notices a run cut off by an eviction, which its program then recovers),
// retries the outbox, wakes paused tasks that asked for it and deletes the log after retention.
import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { runStatements, statement, statementBuilder } from "../db/statements";
import { appActiveRequests } from "../db/schema";
import type { Env } from "../env";
import { ProviderNotInitialize } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { createProvider } from "../llm/factory";
import { providerByName } from "../llm/registry";
import type { AiBinding } from "../llm/workers-ai";
import { eq } from "drizzle-orm";
import { foldEvents } from "./answer";
import { EventLog } from "./event-log";
import { Outbox, type WriteOptions } from "./outbox";
import type { Program, ProgramResult, RunContext, RunPhase } from "./program";
import { programFor } from "./programs";
import { Blobs, migrateStorage, type TaskRecord, TaskTable } from "./storage";
import { Subscribers } from "./subscribers";
import type { Owner, StopReason, SubscribeRequest, TaskEvent, TaskOutcome, TaskSpecBase } from "./types";

const HEARTBEAT_MS = 15_000;
/** How long the end of a run waits for its D1 writes before closing streams (the alarm retries the rest). */
const DRAIN_TIMEOUT_MS = 10_000;

interface LiveRun {
  stop: AbortController;
  reason: StopReason | null;
  since: number;
  maxMs: number;
}

export class TaskRunner extends DurableObject<Env> {
  private blobs!: Blobs;
  private table!: TaskTable;
  private log!: EventLog;
  private outbox!: Outbox;
  private subscribers!: Subscribers;
  /** Set while this instance runs the program; absent after an eviction or restart. */
  private live: LiveRun | null = null;
  private waiters: (() => void)[] = [];
  /** Events published while a barrier write is pending wait here. */
  private held: TaskEvent[] | null = null;
  private barriers = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.open();
  }

  private open(): void {
    const sql = this.ctx.storage.sql;
    migrateStorage(sql);
    this.blobs = new Blobs(sql);
    this.table = new TaskTable(sql);
    this.log = new EventLog(sql);
    this.outbox = new Outbox(sql, this.blobs, this.env.DB, () => this.barrierSettled());
    this.barriers = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE barrier = 1").one().n;
    this.subscribers = new Subscribers(this.log, () => this.table.get()?.status ?? null);
  }

  /** Starts the task; with `subscribe`, returns its event stream in the same call. */
  async start(spec: TaskSpecBase, subscribe: boolean): Promise<ReadableStream<Uint8Array> | null> {
    if (this.table.get()) throw new Error(`task ${spec.taskId} already exists`);
    const program = programFor(spec.kind);
    this.table.create(spec, Date.now());
    this.blobs.putJson("spec", program.durable(spec));
    const stream = subscribe ? this.subscribers.open({ cursor: 0 }) : null;
    this.execute(program, spec, "start", null);
    void this.armAlarm();
    return stream;
  }

  /** Stops the task if `owner` owns it: a running one through its stop signal, a paused one at once. */
  async stop(owner: Owner): Promise<void> {
    const task = this.own(owner);
    if (!task) return;
    if (task.status === "running") {
      this.recoverIfInterrupted(task);
      this.requestStop("user");
    } else if (task.status === "paused") {
      this.resumeRun({ stop: true }, "user");
    }
  }

  /** The task's events as `request` asks (tasks/types.ts SubscribeRequest); null when the task is not theirs. */
  async subscribe(owner: Owner, request: SubscribeRequest): Promise<ReadableStream<Uint8Array> | null> {
    const task = this.own(owner);
    if (!task) return null;
    this.recoverIfInterrupted(task);
    if ("cursor" in request) return this.subscribers.open({ cursor: request.cursor });
    const status = this.table.get()!.status;
    const spec = this.blobs.getJson<TaskSpecBase>("spec")!;
    let prelude: TaskEvent[] = [];
    if (request.view === "snapshot") prelude = programFor(spec.kind).snapshot?.(spec, this.events(), status) ?? [];
    else if (status === "finished") {
      let last: TaskEvent | null = null;
      for (const event of this.events()) if (event.event === request.finalEvent) last = event;
      prelude = last ? [last] : [];
    }
    return this.subscribers.open({ cursor: "now", prelude: prelude.map((e) => JSON.stringify(e)), closeOn: request.closeOn, holdWhilePaused: true });
  }

  /** Waits until the task is no longer running and returns its folded answer; null when not theirs. */
  async outcome(owner: Owner): Promise<TaskOutcome | null> {
    const task = this.own(owner);
    if (!task) return null;
    this.recoverIfInterrupted(task);
    if (this.table.get()?.status === "running") await new Promise<void>((resolve) => this.waiters.push(resolve));
    const fold = foldEvents(this.events());
    return { status: this.table.get()!.status, answer: fold.answer, first: fold.first, end: fold.end, error: fold.error, workflow: fold.workflow };
  }

  /**
   * Resumes a paused task with `payload`. A task that is running (resumed for another form) keeps the
   * payload and resumes with it when it pauses again; false when the task is finished or not theirs.
   */
  async resume(owner: Owner, payload: unknown): Promise<boolean> {
    const task = this.own(owner);
    if (!task || task.status === "finished") return false;
    if (this.resumeRun(payload, null)) return true;
    this.blobs.putJson("resume-queue", [...(this.blobs.getJson<unknown[]>("resume-queue") ?? []), payload]);
    return true;
  }

  /** The task's record for its owner (status, times), or null. */
  async state(owner: Owner): Promise<TaskRecord | null> {
    return this.own(owner);
  }

  async alarm(): Promise<void> {
    const task = this.table.get();
    if (!task) return;
    const now = Date.now();
    if (task.status === "running") {
      if (!this.recoverIfInterrupted(task) && this.live && now - this.live.since > this.live.maxMs) this.requestStop("timeout");
    } else if (task.status === "paused" && task.wakeAt !== null && now >= task.wakeAt) {
      this.table.setWakeAt(null);
      this.resumeRun({ wake: true }, null);
    }
    await this.outbox.drain().catch((err) => log(null, "error", "task outbox drain failed", { task_id: task.taskId, error: describeError(err) }));
    const current = this.table.get()!;
    if (current.status === "finished" && this.outbox.size === 0 && now >= (current.finishedAt ?? now) + this.retentionMs()) {
      await this.ctx.storage.deleteAll();
      this.open();
      return;
    }
    await this.armAlarm();
  }

  private retentionMs(): number {
    return (this.blobs.getJson<TaskSpecBase>("spec")?.limits.retentionSeconds ?? 600) * 1000;
  }

  private own(owner: Owner): TaskRecord | null {
    const task = this.table.get();
    return task && task.appId === owner.appId && task.endUserId === owner.endUserId ? task : null;
  }

  private requestStop(reason: StopReason): void {
    if (!this.live) return;
    this.live.reason ??= reason;
    this.live.stop.abort();
  }

  /** paused → running, then the program continues with `payload`; false when the task was not paused. */
  private resumeRun(payload: unknown, stopReason: StopReason | null): boolean {
    if (!this.table.transition("paused", "running", Date.now())) return false;
    const spec = this.blobs.getJson<TaskSpecBase>("spec")!;
    this.execute(programFor(spec.kind), spec, "resume", payload, stopReason);
    void this.armAlarm();
    return true;
  }

  /** A task recorded as running with no program in this instance was cut off: its program recovers it. */
  private recoverIfInterrupted(task: TaskRecord): boolean {
    if (task.status !== "running" || this.live) return false;
    const spec = this.blobs.getJson<TaskSpecBase>("spec")!;
    log(null, "warn", "task recovered after an interruption", { task_id: task.taskId, kind: task.kind });
    this.execute(programFor(spec.kind), spec, "recover", null);
    return true;
  }

  private execute(program: Program, spec: TaskSpecBase, phase: RunPhase, payload: unknown, stopReason: StopReason | null = null): void {
    const live: LiveRun = { stop: new AbortController(), reason: null, since: Date.now(), maxMs: spec.limits.maxExecutionSeconds * 1000 };
    this.live = live;
    if (stopReason) {
      live.reason = stopReason;
      live.stop.abort();
    }
    const ctx = this.context(spec, phase, payload, live);
    const deadline = setTimeout(() => this.requestStop("timeout"), live.maxMs);
    void (async () => {
      let result: ProgramResult = { status: "finished" };
      try {
        result = await program.run(ctx);
      } catch (err) {
        log(null, "error", "task program failed", { task_id: spec.taskId, kind: spec.kind, error: describeError(err) });
        try {
          program.crashed(ctx, err);
        } catch (again) {
          log(null, "error", "task program could not close its records", { task_id: spec.taskId, error: describeError(again) });
        }
      } finally {
        clearTimeout(deadline);
      }
      await this.complete(spec, result);
    })();
  }

  private context(spec: TaskSpecBase, phase: RunPhase, payload: unknown, live: LiveRun): RunContext {
    return {
      spec,
      phase,
      resumePayload: payload,
      env: this.env,
      signal: live.stop.signal,
      stopReason: () => live.reason,
      emit: (event) => this.emit(event),
      events: () => this.events(),
      checkpoint: (state) => this.blobs.putJson("checkpoint", state),
      restore: <T>() => this.blobs.getJson<T>("checkpoint"),
      write: (statements, options) => this.write(statements, options),
      wakeAt: (at) => this.table.setWakeAt(at),
      provider: async (name) => {
        const resolved = await providerByName(getDb(this.env.DB), getConfig(this.env).secretKey, name, spec.limits.cacheTtlSeconds);
        if (!resolved) throw new ProviderNotInitialize(`The model provider "${name}" is not registered.`);
        const llm = createProvider(resolved, {
          ai: this.env.AI as unknown as AiBinding | undefined,
          idleTimeoutMs: spec.limits.idleTimeoutMs,
          echoDelayMs: spec.limits.echoDelayMs,
        });
        return { resolved, llm };
      },
    };
  }

  private *events(): Generator<TaskEvent> {
    for (const { json } of this.log.all()) yield JSON.parse(json) as TaskEvent;
  }

  private emit(event: TaskEvent): void {
    if (this.barriers > 0) {
      (this.held ??= []).push(event);
      return;
    }
    this.publish(event);
  }

  private publish(event: TaskEvent): void {
    this.subscribers.publish(this.log.append(JSON.stringify(event)));
  }

  /** The outbox, as a promise even when the object's own storage refuses the entry (then it rejects). */
  private write(statements: Parameters<Outbox["add"]>[0], options: WriteOptions): Promise<void> {
    try {
      const landed = this.outbox.add(statements, options);
      if (options.barrier) this.barriers++;
      return landed;
    } catch (err) {
      log(null, "error", "task write could not be queued", { write: options.label, error: describeError(err) });
      const failed = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      if (!options.critical) failed.catch(() => {});
      return failed;
    }
  }

  private barrierSettled(): void {
    this.barriers = Math.max(0, this.barriers - 1);
    if (this.barriers === 0) this.releaseHeld();
  }

  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) this.publish(event);
  }

  /** The one end of a run (finished or paused). Never throws. */
  private async complete(spec: TaskSpecBase, result: ProgramResult): Promise<void> {
    const step = (name: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        log(null, "error", `task end: ${name} failed`, { task_id: spec.taskId, error: describeError(err) });
      }
    };
    step("slot release", () => {
      if (!spec.slot || !this.table.markSlotReleased()) return;
      const release = statement(statementBuilder().delete(appActiveRequests).where(eq(appActiveRequests.id, spec.slot)));
      try {
        void this.outbox.add([release], { label: "release slot" });
      } catch (err) {
        // The object's own storage failed too: release the slot straight in D1, best effort.
        log(null, "error", "task outbox unavailable; releasing the slot directly", { task_id: spec.taskId, error: describeError(err) });
        void runStatements(this.env.DB, [release]).catch(() => {});
      }
    });
    await Promise.race([this.outbox.drain(), new Promise((r) => setTimeout(r, DRAIN_TIMEOUT_MS))]).catch(() => {});
    // The run is over: events still held behind a barrier go out now, whatever became of it.
    step("held events", () => this.releaseHeld());
    step("log flush", () => this.log.flush());
    step("status", () => this.table.transition("running", result.status === "paused" ? "paused" : "finished", Date.now()));
    this.live = null;
    step("subscribers", () => this.subscribers.endAll(result.status === "paused" ? "paused" : "finished"));
    for (const resolve of this.waiters.splice(0)) step("waiter", resolve);
    if (result.status === "paused") {
      const queue = this.blobs.getJson<unknown[]>("resume-queue") ?? [];
      if (queue.length) {
        this.blobs.putJson("resume-queue", queue.slice(1));
        this.resumeRun(queue[0], null);
      }
    }
    await this.armAlarm();
  }

  private async armAlarm(): Promise<void> {
    try {
      const task = this.table.get();
      if (!task) return;
      const now = Date.now();
      const candidates: number[] = [];
      if (task.status === "running") candidates.push(now + HEARTBEAT_MS);
      if (task.status === "paused" && task.wakeAt !== null) candidates.push(task.wakeAt);
      const retry = this.outbox.nextAttemptAt();
      if (retry !== null) candidates.push(Math.max(retry, now + 1000));
      if (task.status === "finished") candidates.push((task.finishedAt ?? now) + this.retentionMs());
      if (candidates.length) await this.ctx.storage.setAlarm(Math.min(...candidates));
    } catch (err) {
      log(null, "error", "task alarm could not be armed", { error: describeError(err) });
    }
  }
}
