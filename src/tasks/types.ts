// What every task has, whatever program it runs, and what the runner reports back.
import type { TaskStatus } from "./storage";

export type StopReason = "user" | "timeout";

/** One event as it goes on the wire (already enveloped by its program). */
export type TaskEvent = Record<string, unknown> & { event: string };

export interface Owner {
  appId: string;
  endUserId: string;
}

export interface TaskLimits {
  maxExecutionSeconds: number;
  retentionSeconds: number;
  idleTimeoutMs: number;
  echoDelayMs: number;
  /** Isolate-cache lifetime of provider lookups made inside the object. */
  cacheTtlSeconds: number;
}

/** The part of every program's spec the runner itself reads. */
export interface TaskSpecBase {
  /** Selects the program (tasks/programs.ts). */
  kind: string;
  taskId: string;
  appId: string;
  endUserId: string;
  /** The app's concurrency slot, released by the runner at the first pause or the end. */
  slot: string | null;
  limits: TaskLimits;
}

/** A finished or paused task's answer, folded from its events (services build blocking bodies from it). */
export interface TaskOutcome {
  status: TaskStatus;
  answer: string;
  first: TaskEvent | null;
  end: TaskEvent | null;
  error: TaskEvent | null;
  /** The last workflow_finished / workflow_paused event, for workflow runs. */
  workflow: TaskEvent | null;
}

/** How a subscriber wants a task's events (GET …/events). */
export type SubscribeRequest =
  /** Replay after the cursor, then live; ends when the task stops running. */
  | { cursor: number }
  /**
   * "plain": a finished task gives only its last `finalEvent`; otherwise live events from now until
   * one of `closeOn`, held open while paused. "snapshot": the program's state snapshot first, then
   * the same live part.
   */
  | { view: "plain" | "snapshot"; closeOn: string[]; finalEvent: string };
