// Reads an SSE body the way Dify's web client does (only `data: ` lines carry events), keeping the
// `id:` of each frame and counting pings.
export interface SseEvent {
  id: number | null;
  data: Record<string, any>;
}

export interface SseRead {
  events: SseEvent[];
  pings: number;
  raw: string;
}

/**
 * Reads frames until the body ends, or until `until` returns true for an event (then the reader
 * is cancelled: a client disconnect). `onEvent` may act mid-stream (e.g. send a stop).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  options: { until?: (event: SseEvent, all: SseEvent[]) => boolean; onEvent?: (event: SseEvent, all: SseEvent[]) => Promise<void> | void } = {},
): Promise<SseRead> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = "";
  let raw = "";
  let pings = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    raw += text;
    buffer += text;
    let sep: number;
    while ((sep = buffer.indexOf("\n\n")) !== -1) {
      const frame = buffer.slice(0, sep);
      buffer = buffer.slice(sep + 2);
      if (frame === "event: ping") {
        pings++;
        continue;
      }
      let id: number | null = null;
      let data: string | null = null;
      for (const line of frame.split("\n")) {
        if (line.startsWith("id: ")) id = Number(line.slice(4));
        if (line.startsWith("data: ")) data = line.slice(6);
      }
      if (data === null) continue;
      const event = { id, data: JSON.parse(data) };
      events.push(event);
      await options.onEvent?.(event, events);
      if (options.until?.(event, events)) {
        await reader.cancel();
        return { events, pings, raw };
      }
    }
  }
  return { events, pings, raw };
}

export const answerOf = (events: SseEvent[]): string =>
  events.reduce((text, e) => (e.data.event === "message" ? text + e.data.answer : e.data.event === "message_replace" ? e.data.answer : text), "");
