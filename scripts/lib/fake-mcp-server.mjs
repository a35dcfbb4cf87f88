// A fake MCP server for tests: the Streamable HTTP transport as the MCP specification (2025-06-18,
// 2025-11-25) and the TypeScript SDK's server have it. JSON-RPC 2.0 POSTed to one endpoint; answers
// as application/json or as a text/event-stream that may carry a server notification and a server
// ping request before the answer; `initialize` assigns an Mcp-Session-Id, later requests must carry
// it and the negotiated MCP-Protocol-Version (400 without, 404 for an unknown or expired session);
// notifications and replies get 202; tools/list pages by cursor; a tool that throws answers
// isError. `fakeMcpHandler` is a (Request) => Response handler (unit tests reach it through a fetch
// stub); `startFakeMcp` serves the same handler on 127.0.0.1 (end-to-end tests).

export const LATEST_VERSION = "2025-11-25";
const SUPPORTED = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
// A 1×1 PNG.
export const DOT_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** The tools every fake offers unless a test gives its own. */
export function defaultTools() {
  return [
    {
      name: "echo",
      description: "Echoes the text back.",
      inputSchema: { type: "object", properties: { text: { type: "string", description: "What to echo" } }, required: ["text"] },
      call: ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }] }),
    },
    {
      name: "add",
      title: "Adder",
      description: "Adds two integers.",
      inputSchema: { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } }, required: ["a", "b"] },
      outputSchema: { type: "object", properties: { sum: { type: "integer" } }, required: ["sum"] },
      call: ({ a, b }) => ({ content: [{ type: "text", text: JSON.stringify({ sum: a + b }) }], structuredContent: { sum: a + b } }),
    },
    {
      name: "draw",
      description: "Draws a dot.",
      inputSchema: { type: "object", properties: {} },
      call: () => ({ content: [{ type: "image", data: DOT_PNG, mimeType: "image/png" }, { type: "text", text: "a red dot" }] }),
    },
    {
      name: "fail",
      description: "Always fails.",
      inputSchema: { type: "object", properties: {} },
      call: () => {
        throw new Error("the tool broke");
      },
    },
    {
      name: "sleep",
      description: "Answers after ms milliseconds.",
      inputSchema: { type: "object", properties: { ms: { type: "integer" } }, required: ["ms"] },
      call: async ({ ms }, { signal }) => {
        await sleep(ms, signal);
        return { content: [{ type: "text", text: `slept ${ms} ms` }] };
      },
    },
  ];
}

const rpcError = (id, code, message) => ({ jsonrpc: "2.0", id, error: { code, message } });
const httpError = (status, id, code, message) => Response.json(rpcError(id, code, message), { status });

export function fakeMcpHandler(options = {}) {
  const state = {
    /** "json" or "sse": how requests are answered. */
    mode: options.mode ?? "json",
    /** false: a stateless server (no Mcp-Session-Id). */
    sessions: options.sessions ?? true,
    pageSize: options.pageSize ?? 2,
    /** Milliseconds before every answer (a slow server). */
    delayMs: options.delayMs ?? 0,
    /** Headers every request must carry (e.g. Authorization), else 401. */
    requiredHeaders: options.requiredHeaders ?? {},
    /** SSE answers first send a log notification and a ping request to the client. */
    chatty: options.chatty ?? false,
    tools: options.tools ?? defaultTools(),
    /** Every POST: its JSON-RPC method (or "reply"), session id, protocol version and headers. */
    requests: [],
    /** Ids of the ping requests the server sent, and the client's replies to them. */
    pings: [],
    replies: [],
    /** tools/call arguments, by tool name. */
    calls: [],
    live: new Map(),
    initializations: 0,
  };

  function answer(message, headers = {}) {
    if (state.mode !== "sse") return Response.json(message, { headers });
    const frames = [];
    if (state.chatty) {
      frames.push({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "working on it" } });
      const id = `server-${state.pings.length + 1}`;
      state.pings.push(id);
      frames.push({ jsonrpc: "2.0", id, method: "ping" });
    }
    frames.push(message);
    const text = frames.map((m, i) => `id: ${i + 1}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`).join("");
    return new Response(`: stream opened\n\n${text}`, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", ...headers } });
  }

  async function run(message, session, signal) {
    const { id, method, params = {} } = message;
    switch (method) {
      case "ping":
        return { jsonrpc: "2.0", id, result: {} };
      case "tools/list": {
        const start = params.cursor === undefined ? 0 : Number(params.cursor);
        if (!Number.isInteger(start) || start < 0 || start > state.tools.length) return rpcError(id, -32602, "Invalid cursor");
        const page = state.tools.slice(start, start + state.pageSize).map(({ call, ...tool }) => tool);
        const next = start + state.pageSize < state.tools.length ? { nextCursor: String(start + state.pageSize) } : {};
        return { jsonrpc: "2.0", id, result: { tools: page, ...next } };
      }
      case "tools/call": {
        const tool = state.tools.find((t) => t.name === params.name);
        if (!tool) return rpcError(id, -32602, `Tool ${params.name} not found`);
        state.calls.push({ name: params.name, arguments: params.arguments ?? {}, session: session?.id ?? null });
        try {
          return { jsonrpc: "2.0", id, result: await tool.call(params.arguments ?? {}, { signal }) };
        } catch (err) {
          if (signal.aborted) throw err;
          return { jsonrpc: "2.0", id, result: { content: [{ type: "text", text: err.message }], isError: true } };
        }
      }
      default:
        return rpcError(id, -32601, `Method not found: ${method}`);
    }
  }

  async function handle(request) {
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
    for (const [name, value] of Object.entries(state.requiredHeaders)) {
      if (request.headers.get(name) !== value) return Response.json({ error: "unauthorized" }, { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
    }
    const accept = request.headers.get("Accept") ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
      return httpError(406, null, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream");
    }
    if (!(request.headers.get("Content-Type") ?? "").startsWith("application/json")) return httpError(415, null, -32000, "Unsupported Media Type");
    let message;
    try {
      message = JSON.parse(await request.text());
    } catch {
      return httpError(400, null, -32700, "Parse error");
    }
    const sessionId = request.headers.get("Mcp-Session-Id");
    const version = request.headers.get("MCP-Protocol-Version");
    const kind = typeof message?.method === "string" ? message.method : "reply";
    state.requests.push({ method: kind, sessionId, version, headers: Object.fromEntries(request.headers) });
    if (state.delayMs) await sleep(state.delayMs, request.signal);

    if (kind === "initialize") {
      state.initializations++;
      const asked = message.params?.protocolVersion;
      const negotiated = SUPPORTED.includes(asked) ? asked : LATEST_VERSION;
      const headers = {};
      if (state.sessions) {
        const id = crypto.randomUUID();
        state.live.set(id, { id, version: negotiated, initialized: false });
        headers["Mcp-Session-Id"] = id;
      }
      return answer(
        { jsonrpc: "2.0", id: message.id, result: { protocolVersion: negotiated, capabilities: { tools: { listChanged: false } }, serverInfo: { name: "fake-mcp", version: "1.0.0" } } },
        headers,
      );
    }
    let session = null;
    if (state.sessions) {
      if (!sessionId) return httpError(400, message.id ?? null, -32000, "Bad Request: No valid session ID provided");
      session = state.live.get(sessionId);
      if (!session) return httpError(404, message.id ?? null, -32001, "Session not found");
      if (version !== session.version) return httpError(400, message.id ?? null, -32000, `Bad Request: Unsupported protocol version: ${version}`);
    }
    if (kind === "reply") {
      state.replies.push(message);
      return new Response(null, { status: 202 });
    }
    if (message.id === undefined) {
      if (kind === "notifications/initialized" && session) session.initialized = true;
      return new Response(null, { status: 202 });
    }
    if (session && !session.initialized) return answer(rpcError(message.id, -32600, "Server not initialized"));
    return answer(await run(message, session, request.signal));
  }

  return {
    handle,
    state,
    /** Ends every session, as a restarted server would: the next request with one gets 404. */
    expireSessions() {
      state.live.clear();
    },
  };
}

/** The fake on 127.0.0.1 (a free port); `url` is its MCP endpoint. */
export async function startFakeMcp(options = {}) {
  const { createServer } = await import("node:http");
  const fake = fakeMcpHandler(options);
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const aborted = new AbortController();
    res.on("close", () => !res.writableEnded && aborted.abort(new Error("client went away")));
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : v === undefined ? [] : [[k, v]])),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
      signal: aborted.signal,
    });
    let response;
    try {
      response = await fake.handle(request);
    } catch {
      res.destroy();
      return;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    ...fake,
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
