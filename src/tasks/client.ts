// The worker's side of a TaskRunner: one typed RPC per operation, ownership checked inside the
// object. Someone else's task answers exactly like a missing one (404).
import type { Env } from "../env";
import { NotFound } from "../lib/errors";
import type { Owner, SubscribeRequest, TaskOutcome, TaskSpecBase } from "./types";
import type { TaskRecord } from "./storage";

const stub = (env: Env, taskId: string) => env.TASKS.get(env.TASKS.idFromName(taskId));

/** Starts a task; with `subscribe`, its event stream comes back from the same call. */
export async function startTask(env: Env, spec: TaskSpecBase, subscribe: boolean): Promise<ReadableStream<Uint8Array> | null> {
  return (await stub(env, spec.taskId).start(spec, subscribe)) as ReadableStream<Uint8Array> | null;
}

export async function subscribeTask(env: Env, taskId: string, owner: Owner, request: SubscribeRequest = { cursor: 0 }): Promise<ReadableStream<Uint8Array>> {
  const stream = (await stub(env, taskId).subscribe(owner, request)) as ReadableStream<Uint8Array> | null;
  if (!stream) throw new NotFound();
  return stream;
}

export async function taskOutcome(env: Env, taskId: string, owner: Owner): Promise<TaskOutcome> {
  const outcome = (await stub(env, taskId).outcome(owner)) as TaskOutcome | null;
  if (!outcome) throw new NotFound();
  return outcome;
}

export async function stopTask(env: Env, taskId: string, owner: Owner): Promise<void> {
  await stub(env, taskId).stop(owner);
}

export async function resumeTask(env: Env, taskId: string, owner: Owner, payload: unknown): Promise<boolean> {
  return (await stub(env, taskId).resume(owner, payload)) as boolean;
}

export async function taskState(env: Env, taskId: string, owner: Owner): Promise<TaskRecord | null> {
  return (await stub(env, taskId).state(owner)) as TaskRecord | null;
}
