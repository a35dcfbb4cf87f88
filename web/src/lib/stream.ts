// Reads a run's SSE stream (spec dify-web-api.md §5.1: `data: <json>` frames, the event name inside,
// an `id:` line on each) and follows the run to its end:
// - a connection that drops before a terminal event is resumed through the run's events endpoint
//   (`resumePath`) with Last-Event-ID, once the browser is back online;
// - a workflow or chatflow that pauses for a person (`workflow_paused`, spec §6.2) is followed, as
//   Dify's client does, on GET /api/workflow/{run_id}/events, which stays open while the run waits
//   and carries it on after a form is submitted (spec dify-web-client.md §5.6).
import { ApiFailure, failureOf, redirectIfSignInNeeded, request } from "./api";

export type StreamEvent = Record<string, any> & { event: string };

const TERMINAL = new Set(["message_end", "error", "workflow_finished"]);
const MAX_RESUMES = 8;

export interface StreamOptions {
  onEvent: (event: StreamEvent) => void;
  /** Called while the stream is being resumed (true) and when it flows again (false). */
  onReconnecting?: (reconnecting: boolean) => void;
  signal: AbortSignal;
  /** Where a dropped stream of task `id` resumes (default: the chat one). */
  resumePath?: (taskId: string) => string;
}

export const chatResumePath = (taskId: string) => `/chat-messages/${encodeURIComponent(taskId)}/events`;
export const workflowEventsPath = (runId: string) => `/workflow/${encodeURIComponent(runId)}/events`;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

const online = (signal: AbortSignal) =>
  navigator.onLine
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        addEventListener("online", () => resolve(), { once: true });
        signal.addEventListener("abort", () => resolve(), { once: true });
      });

interface Cursor {
  lastId: string | null;
  taskId: string | null;
  runId: string | null;
  done: boolean;
  /** The last event was workflow_paused: the run waits for a person. */
  paused: boolean;
  /** Set when a continuation opens: its first id must follow ours, or events were missed. */
  checkGap: boolean;
}

/** The continuation started after events we never saw (the run went on before we subscribed). */
class Gap extends Error {}

/** Reads frames until the body ends; throws when the connection breaks mid-body. */
async function readFrames(res: Response, cursor: Cursor, options: StreamOptions): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let sep: number;
      while ((sep = buffer.indexOf("\n\n")) !== -1) {
        const frame = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        let data: string | null = null;
        let id: string | null = null;
        for (const line of frame.split("\n")) {
          if (line.startsWith("id:")) id = line.slice(3).trim();
          else if (line.startsWith("data:")) data = line.slice(5).trimStart();
        }
        if (id) {
          if (cursor.checkGap && cursor.lastId !== null && Number(id) > Number(cursor.lastId) + 1) throw new Gap();
          cursor.checkGap = false;
          cursor.lastId = id;
        }
        if (data === null) continue; // `event: ping`
        let event: StreamEvent;
        try {
          event = JSON.parse(data);
        } catch {
          continue;
        }
        if (event.task_id) cursor.taskId = event.task_id;
        const runId = event.workflow_run_id ?? event.data?.workflow_run_id;
        if (typeof runId === "string" && runId) cursor.runId = runId;
        if (TERMINAL.has(event.event)) cursor.done = true;
        cursor.paused = event.event === "workflow_paused";
        options.onEvent(event);
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

async function opened(res: Response): Promise<Response> {
  if (res.ok) return res;
  const failure = await failureOf(res);
  redirectIfSignInNeeded(failure);
  throw failure;
}

/**
 * Opens a stream with `start` and follows its run to the terminal event: through pauses (on the
 * workflow events stream) and dropped connections (resumed after the last event id).
 */
export async function followStream(start: () => Promise<Response>, options: StreamOptions): Promise<void> {
  const cursor: Cursor = { lastId: null, taskId: null, runId: null, done: false, paused: false, checkGap: false };
  const resumePath = options.resumePath ?? chatResumePath;
  let res: Response = await opened(await start());
  let attempt = 0;
  let quickEnds = 0;
  for (;;) {
    const since = Date.now();
    let gap = false;
    try {
      await readFrames(res, cursor, options);
    } catch (err) {
      if (options.signal.aborted) return;
      gap = err instanceof Gap; // otherwise a broken connection: resume below
      if (gap) cursor.paused = false; // the run went on: replay what we missed after our cursor
    }
    if (cursor.done || options.signal.aborted) {
      options.onReconnecting?.(false);
      return;
    }
    if (cursor.paused && cursor.runId && !gap) {
      // A wait for a person can be long: the events stream closes when idle, and is opened again.
      quickEnds = Date.now() - since < 1000 ? quickEnds + 1 : 0;
      if (quickEnds > 1) await sleep(Math.min(4000, 250 * 2 ** quickEnds), options.signal);
      if (options.signal.aborted) return;
      try {
        cursor.checkGap = true;
        res = await opened(await request(workflowEventsPath(cursor.runId), { signal: options.signal }));
        attempt = 0;
        continue;
      } catch (err) {
        if (options.signal.aborted) return;
        if (err instanceof ApiFailure) throw err;
        // offline: reconnect below
      }
    }
    const taskId = cursor.taskId ?? cursor.runId;
    if (!taskId || attempt >= MAX_RESUMES) throw new ApiFailure(0, "connection_lost", "connection lost");
    if (!gap) options.onReconnecting?.(true);
    for (;;) {
      await online(options.signal);
      if (!gap) await sleep(Math.min(4000, 250 * 2 ** attempt), options.signal);
      if (options.signal.aborted) return;
      attempt++;
      try {
        cursor.checkGap = cursor.paused;
        // A paused run is only followed on the workflow events stream; a running one replays after our cursor.
        const path = cursor.paused && cursor.runId ? workflowEventsPath(cursor.runId) : resumePath(taskId);
        res = await request(path, { headers: cursor.lastId && !cursor.paused ? { "Last-Event-ID": cursor.lastId } : {}, signal: options.signal });
        if (res.ok) break;
        const failure = await failureOf(res);
        if (failure.status !== 0 && failure.status < 500) throw failure; // the task is gone or not ours
      } catch (err) {
        if (err instanceof ApiFailure || options.signal.aborted) throw err;
      }
      if (attempt >= MAX_RESUMES) throw new ApiFailure(0, "connection_lost", "connection lost");
    }
    options.onReconnecting?.(false);
  }
}
