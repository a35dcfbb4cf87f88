// Reads a generation's SSE stream (spec dify-web-api.md §5.1: `data: <json>` frames, the event name
// inside, an `id:` line on each). When the connection drops before a terminal event, it resumes
// through GET /api/chat-messages/{task_id}/events with Last-Event-ID, once the browser is back
// online, so the answer keeps coming where it left off.
import { ApiFailure, failureOf, redirectIfSignInNeeded, request } from "./api";

export type StreamEvent = Record<string, any> & { event: string };

const TERMINAL = new Set(["message_end", "error", "workflow_finished"]);
const MAX_RESUMES = 8;

export interface StreamOptions {
  onEvent: (event: StreamEvent) => void;
  /** Called while the stream is being resumed (true) and when it flows again (false). */
  onReconnecting?: (reconnecting: boolean) => void;
  signal: AbortSignal;
}

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
  done: boolean;
}

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
        if (id) cursor.lastId = id;
        if (data === null) continue; // `event: ping`
        let event: StreamEvent;
        try {
          event = JSON.parse(data);
        } catch {
          continue;
        }
        if (event.task_id) cursor.taskId = event.task_id;
        if (TERMINAL.has(event.event)) cursor.done = true;
        options.onEvent(event);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Opens a stream with `start` and follows it to its terminal event, resuming after drops. */
export async function followStream(start: () => Promise<Response>, options: StreamOptions): Promise<void> {
  const cursor: Cursor = { lastId: null, taskId: null, done: false };
  let res: Response = await start();
  if (!res.ok) {
    const failure = await failureOf(res);
    redirectIfSignInNeeded(failure);
    throw failure;
  }
  for (let attempt = 0; ; ) {
    try {
      await readFrames(res, cursor, options);
    } catch (err) {
      if (options.signal.aborted) return;
      void err; // a broken connection: resume below
    }
    if (cursor.done || options.signal.aborted) {
      options.onReconnecting?.(false);
      return;
    }
    if (!cursor.taskId || attempt >= MAX_RESUMES) throw new ApiFailure(0, "connection_lost", "connection lost");
    options.onReconnecting?.(true);
    for (;;) {
      await online(options.signal);
      await sleep(Math.min(4000, 250 * 2 ** attempt), options.signal);
      if (options.signal.aborted) return;
      attempt++;
      try {
        res = await request(`/chat-messages/${encodeURIComponent(cursor.taskId)}/events`, {
          headers: cursor.lastId ? { "Last-Event-ID": cursor.lastId } : {},
          signal: options.signal,
        });
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
