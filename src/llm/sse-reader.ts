// Reads an upstream Server-Sent-Events body (OpenAI-compatible servers, Workers AI) with a
// maintained parser, an idle timeout and cancellation.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { CompletionRequestError } from "../lib/errors";

export class AbortedError extends Error {
  constructor() {
    super("aborted");
    this.name = "AbortError";
  }
}

const MAX_BUFFER = 4 * 1024 * 1024;

/**
 * Yields each event's data. Throws CompletionRequestError when nothing arrives for `idleTimeoutMs`
 * (the stream is cancelled) and AbortedError when `signal` aborts.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, options: { idleTimeoutMs: number; signal: AbortSignal; provider: string }): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const pending: EventSourceMessage[] = [];
  let parseError: Error | null = null;
  const parser = createParser({
    onEvent: (event) => pending.push(event),
    onError: (err) => {
      if (err.type === "max-buffer-size-exceeded") parseError = err;
    },
    maxBufferSize: MAX_BUFFER,
  });
  let timer: ReturnType<typeof setTimeout> | null = null;
  let rejectAbort: (err: Error) => void = () => {};
  const aborted = new Promise<never>((_, reject) => (rejectAbort = reject));
  aborted.catch(() => {});
  const onAbort = () => rejectAbort(new AbortedError());
  if (options.signal.aborted) onAbort();
  options.signal.addEventListener("abort", onAbort);
  try {
    for (;;) {
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CompletionRequestError(`[${options.provider}] The model provider sent nothing for ${Math.round(options.idleTimeoutMs / 1000)} s; the request was aborted.`)),
          options.idleTimeoutMs,
        );
      });
      const { done, value } = await Promise.race([reader.read(), idle, aborted]);
      clearTimeout(timer);
      if (done) {
        parser.reset({ consume: true });
        yield* pending.splice(0).map((e) => e.data);
        return;
      }
      parser.feed(decoder.decode(value, { stream: true }));
      if (parseError) throw new CompletionRequestError(`[${options.provider}] The model provider sent an oversized event.`);
      while (pending.length) yield pending.shift()!.data;
    }
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onAbort);
    reader.cancel().catch(() => {});
  }
}
