// The one SSE writer (spec dify-web-api.md §5.1): each event is `data: <compact JSON>\n\n` with the
// event name inside the JSON; pings are the bare `event: ping\n\n`. We also prefix an `id: <seq>`
// line, which Dify's client ignores and EventSource clients use as Last-Event-ID to resume.

const encoder = new TextEncoder();

export const PING_FRAME = encoder.encode("event: ping\n\n");

export function eventFrame(seq: number | null, event: unknown): Uint8Array {
  return encoder.encode(`${seq === null ? "" : `id: ${seq}\n`}data: ${JSON.stringify(event)}\n\n`);
}

export const SSE_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  "Content-Encoding": "identity",
  Connection: "keep-alive",
  // Proxies (nginx) must not buffer the stream.
  "X-Accel-Buffering": "no",
};

/** A mutable-headers SSE response around `body` (a Durable Object's body has immutable headers). */
export function sseResponse(body: ReadableStream<Uint8Array> | null): Response {
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
