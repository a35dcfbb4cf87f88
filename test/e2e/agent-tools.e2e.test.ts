// End to end in the real bundle under `wrangler dev`: the Demo Agent on a fake OpenAI-compatible
// model on loopback that asks for tools, calling Dify's time built-in and an MCP tool of a fake MCP
// server on loopback, registered (with a header) and given to the app through the admin API. The
// SSRF guard lets the MCP server through only because SSRF_ALLOWED_HOSTS names its host:port.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeMcp } from "../../scripts/lib/fake-mcp-server.mjs";
import { startFakeOpenAI } from "../../scripts/lib/fake-openai-server.mjs";
import { freePort, root } from "../../scripts/lib/local.mjs";
import { getPassport, importApp, type LocalServer, startServer } from "../../scripts/lib/server.mjs";
import { sseEvents } from "../../scripts/lib/sse-client.mjs";

let server: LocalServer;
let llm: Awaited<ReturnType<typeof startFakeOpenAI>>;
let mcp: Awaited<ReturnType<typeof startFakeMcp>>;
let appId: string;
let headers: Record<string, string>;

const adminCall = (pathName: string, method: string, body?: unknown) =>
  fetch(`${server.base}${pathName}`, {
    method,
    headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  llm = await startFakeOpenAI();
  mcp = await startFakeMcp({ mode: "sse", requiredHeaders: { Authorization: "Bearer e2e-mcp" } });
  server = await startServer({ vars: { SSRF_ALLOWED_HOSTS: `127.0.0.1:${mcp.port}` } });
  expect((await adminCall("/admin/model-providers/openai", "PUT", { type: "openai-compatible", base_url: llm.baseUrl, api_key: "sk-e2e" })).status).toBe(200);
  const yaml = readFileSync(path.join(root, "demo-apps/agent.yml"), "utf8").replace("provider: echo", "provider: openai").replace("name: echo-1", "name: gpt-4o-mini");
  const app = await importApp(server, yaml);
  appId = app.app_id;
  const token = await getPassport(server, app.site_code, "e2e-agent");
  headers = { "Content-Type": "application/json", "X-App-Code": app.site_code, "X-App-Passport": token, "X-CSRF-Token": "" };
});

afterAll(async () => {
  await server?.stop();
  await llm?.close();
  await mcp?.close();
});

describe("agent tools in the real bundle", () => {
  it("registers the loopback MCP server only because it is allow-listed", async () => {
    const other = await freePort();
    const refused = await adminCall("/admin/mcp-servers/elsewhere", "PUT", { url: `http://127.0.0.1:${other}/mcp` });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^url: The MCP server URL is not allowed: 127\.0\.0\.1 is /);

    const put = await adminCall("/admin/mcp-servers/loop", "PUT", { url: mcp.url, headers: { Authorization: "Bearer e2e-mcp" } });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ id: "loop", url: mcp.url, has_headers: true });
    const tools = await adminCall("/admin/mcp-servers/loop/tools", "GET");
    expect(tools.status).toBe(200);
    expect(((await tools.json()) as { data: { name: string }[] }).data.map((t) => t.name)).toEqual(["echo", "add", "draw", "fail", "sleep"]);
    expect((await adminCall(`/admin/apps/${appId}/mcp-servers/loop`, "PUT", { tools: ["echo"] })).status).toBe(200);
  });

  it("an agent turn calls the time built-in and the MCP tool, and stores the thoughts", async () => {
    llm.state.respond = (body) => {
      const last = body.messages.at(-1);
      if (last.role === "user") {
        return { toolCalls: [{ id: "t", name: "current_time", arguments: "{}" }, { id: "m", name: "echo", arguments: '{"text": "from e2e"}' }] };
      }
      return { tokens: ["Both ", "tools ", "answered."] };
    };
    const res = await fetch(`${server.base}/api/chat-messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ inputs: {}, query: "What time is it, and echo something", response_mode: "streaming", conversation_id: "", files: [] }),
    });
    expect(res.status).toBe(200);
    const events: Record<string, any>[] = [];
    for await (const event of sseEvents(res.body!)) events.push(event);
    expect(events.at(-1)!.event).toBe("message_end");
    expect(events.filter((e) => e.event === "agent_message").map((e) => e.answer).join("")).toBe("Both tools answered.");

    // The model was offered the app's time tools and the granted MCP tool.
    expect(llm.state.requests[0].tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(["current_time", "weekday", "timezone_conversion", "echo"]);
    const step = events.filter((e) => e.event === "agent_thought" && e.position === 1).at(-1)!;
    expect(step.tool).toBe("current_time;echo");
    const observation = JSON.parse(step.observation);
    expect(observation.current_time).toMatch(new RegExp(`^${new Date().getUTCFullYear()}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`));
    expect(observation.echo).toBe("echo: from e2e");
    expect(mcp.state.calls).toEqual([{ name: "echo", arguments: { text: "from e2e" }, session: expect.any(String) }]);
    expect(mcp.state.requests.every((r) => r.headers.authorization === "Bearer e2e-mcp")).toBe(true);
    const toolMessages = llm.state.requests[1].messages.filter((m: { role: string }) => m.role === "tool");
    expect(toolMessages.map((m: { tool_call_id: string; content: string }) => [m.tool_call_id, m.content])).toEqual([
      ["t", observation.current_time],
      ["m", "echo: from e2e"],
    ]);

    const conversationId = events[0].conversation_id;
    const deadline = Date.now() + 10_000;
    let thoughts: { position: number; tool: string; observation: string }[] = [];
    while (Date.now() < deadline) {
      const page = (await (await fetch(`${server.base}/api/messages?conversation_id=${conversationId}`, { headers })).json()) as { data: { agent_thoughts: typeof thoughts }[] };
      thoughts = page.data[0]?.agent_thoughts ?? [];
      if (thoughts.length === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(thoughts.map((t) => [t.position, t.tool])).toEqual([
      [1, "current_time;echo"],
      [2, ""],
    ]);
    expect(thoughts[0].observation).toBe(step.observation);
  });
});
