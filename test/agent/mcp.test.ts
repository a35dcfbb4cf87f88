// Agents with MCP tools: a server's tools given to the app through the admin API, or named in the
// DSL (provider_type mcp); a fake MCP server that speaks Streamable HTTP. Tool files become
// message_file events and stored assistant files; a server that errs, is slow or is down becomes
// an observation (or a missing tool), never a crash.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { messagePage } from "../../src/schemas/conversations";
import { forgetMcpSessions } from "../../src/tools/mcp/client";
import { admin, call, expectShape, json } from "../helpers/api";
import { agentSetup, agentTurn, grantMcp, kinds, lastThoughts, MCP_URL } from "../helpers/agent";
import { settledMessage } from "../helpers/chat";
import type { Handler } from "../helpers/fake-internet";

const settled = (messageId: string) => settledMessage(messageId, (r) => r.status === "error" || r.provider_response_latency > 0);

beforeEach(() => forgetMcpSessions());
afterEach(() => vi.restoreAllMocks());

describe("MCP tools in an agent", () => {
  it("offers a granted server's tools with their schemas and calls them with the stored headers", async () => {
    const { llm, mcp, send, session } = await agentSetup({ mcp: { requiredHeaders: { Authorization: "Bearer team-key" } } });
    await admin("/admin/mcp-servers/fake", json({ url: MCP_URL, headers: { Authorization: "Bearer team-key" } }, { method: "PUT" }));
    await admin(`/admin/apps/${session.app.app_id}/mcp-servers/fake`, json({ tools: ["echo", "add"] }, { method: "PUT" }));
    llm.once({ chunks: [], toolCalls: [{ id: "e", name: "echo", arguments: '{"text": "hi"}' }, { id: "a", name: "add", arguments: '{"a": "2", "b": 3}' }] });
    llm.once({ chunks: ["Done."] });
    const turn = await agentTurn(send, { query: "use the tools" });

    expect(llm.requests[0].body.tools).toEqual([
      { type: "function", function: { name: "echo", description: "Echoes the text back.", parameters: { type: "object", properties: { text: { type: "string", description: "What to echo" } }, required: ["text"] } } },
      { type: "function", function: { name: "add", description: "Adds two integers.", parameters: { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } }, required: ["a", "b"] } } },
    ]);
    // Arguments are cast to the schema's types before the call ("2" → 2).
    expect(mcp.state.calls.map((c) => [c.name, c.arguments])).toEqual([
      ["echo", { text: "hi" }],
      ["add", { a: 2, b: 3 }],
    ]);
    expect(mcp.state.requests.every((r) => r.headers.authorization === "Bearer team-key")).toBe(true);
    const [step] = lastThoughts(turn.events);
    expect(JSON.parse(step.observation)).toEqual({ echo: "echo: hi", add: '{"sum": 5}' });
    expect(step.tool_labels).toEqual({ echo: { en_US: "echo", zh_Hans: "echo" }, add: { en_US: "Adder", zh_Hans: "Adder" } });
    expect(llm.requests[1].body.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "a", content: '{"sum": 5}' });
    expect(turn.answer).toBe("Done.");
  });

  it("runs an MCP tool the DSL names (provider_type mcp, provider_id = the server id)", async () => {
    const { llm, mcp, send } = await agentSetup({ tools: [{ enabled: true, provider_type: "mcp", provider_id: "fake", provider_name: "fake", tool_name: "echo", tool_parameters: {} }] });
    await admin("/admin/mcp-servers/fake", json({ url: MCP_URL }, { method: "PUT" }));
    llm.once({ chunks: [], toolCalls: [{ name: "echo", arguments: '{"text": "from the DSL"}' }] });
    llm.once({ chunks: ["ok"] });
    const turn = await agentTurn(send, { query: "echo" });
    expect(llm.requests[0].body.tools.map((t: any) => t.function.name)).toEqual(["echo"]);
    expect(mcp.state.calls).toEqual([{ name: "echo", arguments: { text: "from the DSL" }, session: expect.any(String) }]);
    expect(JSON.parse(lastThoughts(turn.events)[0].observation)).toEqual({ echo: "echo: from the DSL" });
  });

  it("stores a tool's image as an assistant file: message_file, the thought's files, /api/messages, a signed URL that serves it", async () => {
    const { llm, send, session } = await agentSetup();
    await grantMcp(session.app.app_id);
    llm.once({ chunks: [], toolCalls: [{ name: "draw", arguments: "{}" }] });
    llm.once({ chunks: ["Here it is."] });
    const turn = await agentTurn(send, { query: "draw" });
    expect(kinds(turn.events)).toEqual(["agent_thought", "agent_thought", "message_file", "agent_thought", "agent_thought", "agent_message", "agent_thought", "message_end"]);
    const file = turn.events.find((e) => e.data.event === "message_file")!.data;
    expect(Object.keys(file)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "type", "belongs_to", "url"]);
    expect(file).toMatchObject({ type: "image", belongs_to: "assistant" });
    const [step] = lastThoughts(turn.events);
    expect(step.message_files).toEqual([file.id]);
    expect(JSON.parse(step.observation)).toEqual({ draw: "a red dotimage has been created and sent to user already, you do not need to create it, just tell the user to check it now." });

    const image = await call(file.url.replace(/^https?:\/\/[^/]+/, ""));
    expect(image.status).toBe(200);
    expect(image.headers.get("Content-Type")).toMatch(/^image\/png/);
    expect(new Uint8Array(await image.arrayBuffer()).slice(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));

    await settled(turn.messageId);
    const page = await expectShape(await session.get(`/api/messages?conversation_id=${turn.conversationId}`), messagePage);
    const message = page.data[0];
    expect(message.message_files).toEqual([expect.objectContaining({ id: file.id, type: "image", belongs_to: "assistant", transfer_method: "tool_file" })]);
    expect((message.agent_thoughts[0] as { files: string[] }).files).toEqual([file.id]);
  });
});

describe("MCP servers that fail", () => {
  it("a tool error, a slow server and a server gone down become observations; the run finishes", async () => {
    let down = false;
    const { llm, mcp, send, session } = await agentSetup({
      hosts: { "mcp.example": ((request) => (down ? Promise.reject(new TypeError("Network connection lost")) : mcp.handle(request))) as Handler },
    });
    await grantMcp(session.app.app_id);
    llm.once({ chunks: [], toolCalls: [{ name: "fail", arguments: "{}" }] });
    llm.once({ chunks: [], toolCalls: [{ name: "sleep", arguments: '{"ms": 20000}' }] });
    llm.once({ chunks: ["first done"] });
    const started = Date.now();
    const turn = await agentTurn(send, { query: "try" });
    const [failed, slow] = lastThoughts(turn.events);
    expect(JSON.parse(failed.observation)).toEqual({ fail: "tool invoke error: the tool broke" });
    // MCP_TIMEOUT is 2 s in the test settings.
    expect(JSON.parse(slow.observation)).toEqual({ sleep: "tool invoke error: Failed to connect to MCP server: no answer within 2 s" });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(turn.answer).toBe("first done");

    // The server goes down; its tools are still listed from the cache, and calling one fails softly.
    down = true;
    forgetMcpSessions();
    llm.once({ chunks: [], toolCalls: [{ name: "echo", arguments: '{"text": "x"}' }] });
    llm.once({ chunks: ["second done"] });
    const again = await agentTurn(send, { query: "again", conversation_id: turn.conversationId });
    expect(llm.requests[3].body.tools.map((t: any) => t.function.name)).toEqual(["echo", "add", "draw", "fail", "sleep"]);
    expect(JSON.parse(lastThoughts(again.events)[0].observation)).toEqual({ echo: "tool invoke error: Failed to connect to MCP server: the server could not be reached" });
    expect(kinds(again.events).at(-1)).toBe("message_end");
    expect((await settled(again.messageId)).status).toBe("normal");
  });

  it("a server that cannot be listed is left out: the model answers without its tools", async () => {
    const { llm, send, session } = await agentSetup();
    await grantMcp(session.app.app_id, "nowhere", null, "https://nowhere.example/mcp");
    llm.once({ chunks: ["No tools today."] });
    const turn = await agentTurn(send, { query: "hello" });
    expect(llm.requests[0].body.tools).toBeUndefined();
    expect(turn.answer).toBe("No tools today.");
    expect(kinds(turn.events).at(-1)).toBe("message_end");
  });
});
