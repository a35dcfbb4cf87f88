// What a program running on the TaskRunner sees: one run context. A program streams only through
// emit(), saves only through write() (the outbox), keeps durable state only through checkpoint(),
// and returns how the run ended; the runner owns the status, the subscribers, the alarm and the end.
import type { Statement } from "../db/statements";
import type { Env } from "../env";
import type { LlmProvider } from "../llm/types";
import type { ResolvedProvider } from "../llm/registry";
import type { WriteOptions } from "./outbox";
import type { TaskStatus } from "./storage";
import type { StopReason, TaskEvent, TaskSpecBase } from "./types";

/** Why run() is called: a new task, a resume of a paused one, or a run cut off by an eviction or restart. */
export type RunPhase = "start" | "resume" | "recover";

export interface RunContext<Spec extends TaskSpecBase = TaskSpecBase> {
  readonly spec: Spec;
  readonly phase: RunPhase;
  /** What resume(payload) was given (phase "resume"), e.g. a form submission or a wake-up. */
  readonly resumePayload: unknown;
  readonly env: Env;
  /** Aborted when the task is stopped (by its owner, or at APP_MAX_EXECUTION_TIME). */
  readonly signal: AbortSignal;
  stopReason(): StopReason | null;
  /** Appends the event to the log and fans it out (in order, serialised once). */
  emit(event: TaskEvent): void;
  /** Every event logged so far (paged from storage), e.g. to fold what an interrupted run streamed. */
  events(): Iterable<TaskEvent>;
  /** Durable program state, read back by restore() in a later phase (survives eviction and deploys). */
  checkpoint(state: unknown): void;
  restore<T>(): T | null;
  /** Queues D1 statements in the outbox; the promise settles when they landed (see WriteOptions). */
  write(statements: Statement[], options: WriteOptions): Promise<void>;
  /** A paused task asks to be resumed at `at` (ms) with payload {wake: true}; null cancels. */
  wakeAt(at: number | null): void;
  /** The registered provider `name` (its key decrypted here) and a client for it. */
  provider(name: string): Promise<{ resolved: ResolvedProvider; llm: LlmProvider }>;
}

export type ProgramResult = { status: "finished" } | { status: "paused" };

export interface Program<Spec extends TaskSpecBase = TaskSpecBase> {
  /** What of the spec to keep in storage (secrets never; large prompt parts only if a later phase needs them). */
  durable(spec: Spec): Spec;
  run(ctx: RunContext<Spec>): Promise<ProgramResult>;
  /**
   * run() threw (a bug): end the run's records with a status and an error. The runner has already
   * emitted nothing; this emits the error event and queues the closing writes.
   */
  crashed(ctx: RunContext<Spec>, error: unknown): void;
  /** The run's current state as events (GET /api/workflow/{id}/events?include_state_snapshot=true). */
  snapshot?(spec: Spec, events: Iterable<TaskEvent>, status: TaskStatus): TaskEvent[];
}
