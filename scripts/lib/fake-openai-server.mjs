// A fake OpenAI-compatible server on 127.0.0.1 for end-to-end tests and the benchmark. It speaks
// the real streaming protocol (SSE chat.completion.chunk frames, tool_calls deltas, finish_reason,
// usage, [DONE]) and answers /audio/transcriptions (JSON text) and /audio/speech (audio/mpeg bytes).
import { createServer } from "node:http";

export async function startFakeOpenAI() {
  const state = {
    /** Answer tokens to stream, the delay before the first one, and between the others. */
    scenario: { tokens: ["Hello", " from", " the", " fake", " model."], firstTokenDelayMs: 0, delayMs: 5 },
    requests: [],
    transcriptions: [],
    speeches: [],
    aborted: 0,
    /** Optional (requestBody) => tokens | undefined, consulted before the scenario's tokens. */
    respond: undefined,
  };
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", async () => {
      if (req.method === "POST" && req.url.endsWith("/audio/transcriptions")) {
        state.transcriptions.push({ contentType: req.headers["content-type"], bytes: raw.length });
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ text: `heard ${raw.length} bytes` }));
        return;
      }
      if (req.method === "POST" && req.url.endsWith("/audio/speech")) {
        const { input } = JSON.parse(raw || "{}");
        state.speeches.push(input);
        // An ID3 header and one MP3 frame header, then the text: enough for a client to call it audio.
        const audio = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64]), Buffer.from(String(input))]);
        res.writeHead(200, { "Content-Type": "audio/mpeg" }).end(audio);
        return;
      }
      if (req.method !== "POST" || !req.url.endsWith("/chat/completions")) {
        res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const body = JSON.parse(raw || "{}");
      state.requests.push(body);
      const { firstTokenDelayMs, delayMs, failStatus, failMessage } = state.scenario;
      // A test may answer some requests its own way (e.g. the suggested-questions prompt): tokens, or
      // { tokens?, toolCalls: [{ id?, name, arguments }] } for a turn that asks for tools.
      const answer = state.respond?.(body);
      const tokens = (Array.isArray(answer) ? answer : answer?.tokens) ?? (answer?.toolCalls ? [] : state.scenario.tokens);
      const toolCalls = Array.isArray(answer) ? [] : (answer?.toolCalls ?? []);
      // A provider that refuses the call (e.g. 401 bad key, 500 outage), with OpenAI's error body.
      if (failStatus) {
        res.writeHead(failStatus, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: failMessage ?? "upstream failure", type: "server_error" } }));
        return;
      }
      let closed = false;
      res.on("close", () => {
        if (!res.writableEnded) {
          closed = true;
          state.aborted++;
        }
      });
      const base = { id: `chatcmpl-${state.requests.length}`, object: "chat.completion.chunk", created: 1, model: body.model };
      const send = (data) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
      // delayMs 0 streams as fast as the socket takes it: frames go out 100 to a write (as a busy
      // upstream or proxy coalesces them), yielding now and then to notice a close.
      let batch = "";
      for (let i = 0; i < tokens.length; i++) {
        const wait = i === 0 ? firstTokenDelayMs : delayMs;
        if (wait > 0 || i % 200 === 0) await sleep(wait);
        if (closed) return;
        const frame = `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: tokens[i] }, finish_reason: null }] })}\n\n`;
        if (delayMs > 0 || i === 0) res.write(frame);
        else {
          batch += frame;
          if (i % 100 === 0 || i === tokens.length - 1) {
            res.write(batch);
            batch = "";
          }
        }
      }
      // Tool calls as OpenAI streams them: the id, type and name first, then the arguments in pieces.
      for (const [index, call] of toolCalls.entries()) {
        const delta = (part) => send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, ...part }] }, finish_reason: null }] });
        delta({ id: call.id ?? `call_${state.requests.length}_${index}`, type: "function", function: { name: call.name, arguments: "" } });
        const half = Math.ceil(call.arguments.length / 2);
        for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) if (piece) delta({ function: { arguments: piece } });
      }
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: toolCalls.length ? "tool_calls" : "stop" }] });
      if (body.stream_options?.include_usage) send({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: tokens.length, total_tokens: 9 + tokens.length } });
      send("[DONE]");
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    state,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
