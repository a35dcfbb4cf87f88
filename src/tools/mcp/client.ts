// A client of the MCP Streamable HTTP transport (protocol revisions 2024-11-05 to 2025-11-25), only
// what using a server's tools needs: JSON-RPC 2.0 requests POSTed with
// `Accept: application/json, text/event-stream`, answered as JSON or as an SSE stream that carries
// the answer (server requests on it get "method not found", ping an empty result); `initialize` →
// `notifications/initialized` → `tools/list` (all pages) / `tools/call`; the Mcp-Session-Id the
// server assigns and the negotiated MCP-Protocol-Version on every later request. Every request goes
// through the caller's fetch (the SSRF guard) with a deadline. Not the SDK's client: measured in
// workerd, see docs/agents.md ("Why not the MCP SDK's client").
//
// Sessions are kept in isolate memory for a few minutes, so a tool call on a server seen recently
// costs one round trip instead of three; a 404 (session ended) opens a new session once.
import { createParser } from "eventsource-parser";
import { ApiError } from "../../lib/errors";
import { isObject } from "../../lib/json";
import type { Json } from "../../workflow/segments";

export const MCP_PROTOCOL_VERSION = "2025-11-25";
export const MCP_SUPPORTED_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
const CLIENT_INFO = { name: "dify-web-api-workers", version: "1.14.2" };
// A request's deadline (the default of MCP_TIMEOUT), how long a session is reused, the largest answer read.
export const MCP_TIMEOUT_MS = 30_000;
const SESSION_REUSE_MS = 5 * 60_000;
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const MAX_TOOL_PAGES = 50;

export type McpFailure = "blocked" | "unreachable" | "timeout" | "http" | "protocol" | "rpc";

export class McpError extends Error {
  constructor(
    message: string,
    readonly failure: McpFailure,
    /** The JSON-RPC error code (failure "rpc") or HTTP status (failure "http"). */
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface McpToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Json;
  outputSchema?: Json;
}

export interface McpCallResult {
  content: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
}

export interface McpConnection {
  url: string;
  headers: Record<string, string>;
  /** fetch() through the SSRF guard. */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** The caller's stop signal. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface Session {
  id: string | null;
  version: string;
  until: number;
}

const sessions = new Map<string, Session>();

const sessionKey = (c: McpConnection) => `${c.url}\n${JSON.stringify(Object.entries(c.headers).sort())}`;

/** Forgets every kept session (a server's registration changed). */
export function forgetMcpSessions(url?: string): void {
  for (const key of sessions.keys()) if (url === undefined || key.startsWith(`${url}\n`)) sessions.delete(key);
}

class SessionEnded extends Error {}

interface RpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

async function readText(body: ReadableStream<Uint8Array> | null, signal: AbortSignal): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await withSignal(reader.read(), signal);
      if (done) return text + decoder.decode();
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) throw new McpError(`the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`, "protocol");
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Rejects with the signal's reason as soon as it aborts (a stubbed or stuck body may never notice). */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (err) => (signal.removeEventListener("abort", onAbort), reject(err)),
    );
  });
}

function rpcError(message: RpcMessage): McpError {
  const code = typeof message.error?.code === "number" ? message.error.code : undefined;
  const text = typeof message.error?.message === "string" ? message.error.message : "unknown error";
  return new McpError(`${text}${code !== undefined ? ` (JSON-RPC error ${code})` : ""}`, "rpc", code);
}

class Deadline extends Error {}

export class McpClient {
  private nextId = 1;
  private session: Session | null = null;
  /** The Mcp-Session-Id of the last initialize answer. */
  private pendingSessionId: string | null = null;

  constructor(private readonly connection: McpConnection) {}

  private get timeoutMs(): number {
    return this.connection.timeoutMs ?? MCP_TIMEOUT_MS;
  }

  /** One POST with a deadline; failures of the transport become McpError. */
  private async post(message: object, session: Session | null, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {
      ...this.connection.headers,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
    };
    if (session?.id) headers["Mcp-Session-Id"] = session.id;
    if (session) headers["MCP-Protocol-Version"] = session.version;
    let response: Response;
    try {
      response = await withSignal(this.connection.fetch(this.connection.url, { method: "POST", headers, body: JSON.stringify(message), signal }), signal);
    } catch (err) {
      throw this.transportError(err, signal);
    }
    if (response.status === 404 && session?.id) {
      await response.body?.cancel().catch(() => {});
      throw new SessionEnded();
    }
    if (response.status >= 400) {
      // A JSON-RPC error in the body says more than the status; nothing else of the body is repeated.
      const body = await readText(response.body, signal).catch(() => "");
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = null;
      }
      if (isObject(parsed) && isObject(parsed.error)) throw rpcError(parsed as RpcMessage);
      throw new McpError(`HTTP ${response.status}`, "http", response.status);
    }
    return response;
  }

  private transportError(err: unknown, signal: AbortSignal): Error {
    if (err instanceof McpError || err instanceof SessionEnded) return err;
    if (this.connection.signal?.aborted) return (this.connection.signal.reason as Error) ?? new DOMException("aborted", "AbortError");
    if (signal.aborted) return new McpError(`no answer within ${this.timeoutMs / 1000} s`, "timeout");
    if (err instanceof ApiError && err.code === "remote_file_url_blocked") {
      return new McpError(err.message.replace("The remote file URL is not allowed", "The MCP server URL is not allowed"), "blocked");
    }
    // The guard's own words name a "file"; what is left says why the host could not be reached.
    if (err instanceof ApiError) return new McpError(err.message.replace(/^Failed to fetch file from \S+: /, ""), "unreachable");
    if (err instanceof Error && /redirect|Invalid URL/i.test(err.message)) return new McpError(err.message, "unreachable");
    return new McpError("the server could not be reached", "unreachable");
  }

  /** A deadline signal joined with the caller's stop signal. */
  private deadline(): { signal: AbortSignal; done(): void } {
    const timer = new AbortController();
    const handle = setTimeout(() => timer.abort(new Deadline()), this.timeoutMs);
    const signals = this.connection.signal ? [this.connection.signal, timer.signal] : [timer.signal];
    return { signal: AbortSignal.any(signals), done: () => clearTimeout(handle) };
  }

  /** Sends a request and reads its answer, as JSON or from an SSE stream. */
  private async request(method: string, params: object, session: Session | null): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const { signal, done } = this.deadline();
    try {
      const response = await this.post({ jsonrpc: "2.0", id, method, params }, session, signal);
      if (method === "initialize") {
        const sessionId = response.headers.get("Mcp-Session-Id");
        if (sessionId !== null && !/^[\x21-\x7e]+$/.test(sessionId)) throw new McpError("the server sent an invalid session id", "protocol");
        this.pendingSessionId = sessionId;
      }
      const type = (response.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
      // A ping during initialize is answered in the session the server just assigned.
      const replyIn = method === "initialize" ? { id: this.pendingSessionId, version: MCP_PROTOCOL_VERSION, until: 0 } : session;
      const answer =
        type === "text/event-stream"
          ? await this.readStream(response.body, id, replyIn, signal)
          : type === "application/json"
            ? this.pick(await readText(response.body, signal), id)
            : null;
      if (!answer) {
        await response.body?.cancel().catch(() => {});
        throw new McpError(response.status === 202 ? "the server accepted the request but sent no answer" : `the server answered with ${type || "no content type"}`, "protocol");
      }
      if (answer.error !== undefined) throw rpcError(answer);
      if (!isObject(answer.result)) throw new McpError("the answer has no result", "protocol");
      return answer.result;
    } catch (err) {
      throw this.transportError(err, signal);
    } finally {
      done();
    }
  }

  /** The answer to `id` in a JSON body (one message or a batch). */
  private pick(text: string, id: number): RpcMessage | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new McpError("the server sent invalid JSON", "protocol");
    }
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return (messages.find((m) => isObject(m) && m.id === id && ("result" in m || "error" in m)) as RpcMessage | undefined) ?? null;
  }

  /** Reads SSE events until the answer to `id` arrives; answers what the server asks on the way. */
  private async readStream(body: ReadableStream<Uint8Array> | null, id: number, session: Session | null, signal: AbortSignal): Promise<RpcMessage | null> {
    if (!body) return null;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const events: string[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event.data) });
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await withSignal(reader.read(), signal);
        if (done) return null;
        size += value.byteLength;
        if (size > MAX_ANSWER_BYTES) throw new McpError(`the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`, "protocol");
        parser.feed(decoder.decode(value, { stream: true }));
        while (events.length) {
          const data = events.shift()!;
          let message: unknown;
          try {
            message = JSON.parse(data);
          } catch {
            continue; // not a JSON-RPC message (comments, keep-alives)
          }
          if (!isObject(message)) continue;
          const rpc = message as RpcMessage;
          if (rpc.id === id && ("result" in rpc || "error" in rpc)) return rpc;
          if (typeof rpc.method === "string" && rpc.id !== undefined && rpc.id !== null) this.answerServer(rpc, session);
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  /** A request from the server (sampling, elicitation, roots…): this client offers none of them. */
  private answerServer(message: RpcMessage, session: Session | null): void {
    const reply =
      message.method === "ping"
        ? { jsonrpc: "2.0", id: message.id, result: {} }
        : { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } };
    const { signal, done } = this.deadline();
    this.post(reply, session, signal)
      .then((res) => res.body?.cancel())
      .catch(() => {})
      .finally(done);
  }

  private async notify(method: string, session: Session): Promise<void> {
    const { signal, done } = this.deadline();
    try {
      const response = await this.post({ jsonrpc: "2.0", method }, session, signal);
      await response.body?.cancel().catch(() => {});
    } catch (err) {
      if (err instanceof SessionEnded) throw new McpError("the server ended the session", "protocol");
      throw this.transportError(err, signal);
    } finally {
      done();
    }
  }

  private async open(): Promise<Session> {
    const key = sessionKey(this.connection);
    const kept = sessions.get(key);
    if (kept && kept.until > Date.now()) return kept;
    const result = await this.request(
      "initialize",
      { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
      null,
    );
    const version = result.protocolVersion;
    if (typeof version !== "string" || !MCP_SUPPORTED_VERSIONS.includes(version)) {
      throw new McpError(`the server speaks MCP protocol version ${String(version)}, which this client does not`, "protocol");
    }
    const session: Session = { id: this.pendingSessionId, version, until: Date.now() + SESSION_REUSE_MS };
    await this.notify("notifications/initialized", session);
    // A server without sessions is initialised again next time: it may keep per-connection state.
    if (session.id) sessions.set(key, session);
    return session;
  }

  /** Runs `method` in a session, opening a new one once if the server ended the kept one. */
  private async call(method: string, params: object): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      this.session ??= await this.open();
      try {
        return await this.request(method, params, this.session);
      } catch (err) {
        if (!(err instanceof SessionEnded) || attempt > 0) throw err instanceof SessionEnded ? new McpError("the server ended the session", "protocol") : err;
        sessions.delete(sessionKey(this.connection));
        this.session = null;
      }
    }
  }

  async listTools(): Promise<McpToolInfo[]> {
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await this.call("tools/list", cursor ? { cursor } : {});
      if (!Array.isArray(result.tools)) throw new McpError("tools/list answered without a tools list", "protocol");
      for (const tool of result.tools) {
        if (!isObject(tool) || typeof tool.name !== "string" || !tool.name) continue;
        tools.push({
          name: tool.name,
          ...(typeof tool.title === "string" ? { title: tool.title } : isObject(tool.annotations) && typeof tool.annotations.title === "string" ? { title: tool.annotations.title } : {}),
          ...(typeof tool.description === "string" ? { description: tool.description } : {}),
          inputSchema: isObject(tool.inputSchema) ? (tool.inputSchema as Json) : { type: "object", properties: {} },
          ...(isObject(tool.outputSchema) ? { outputSchema: tool.outputSchema as Json } : {}),
        });
      }
      cursor = typeof result.nextCursor === "string" && result.nextCursor ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    return tools;
  }

  async callTool(name: string, args: Json): Promise<McpCallResult> {
    const result = await this.call("tools/call", { name, arguments: args });
    return {
      content: Array.isArray(result.content) ? result.content : [],
      ...(result.structuredContent !== undefined ? { structuredContent: result.structuredContent } : {}),
      ...(result.isError === true ? { isError: true } : {}),
    };
  }
}
