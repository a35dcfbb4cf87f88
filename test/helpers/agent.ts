// Agent-chat test set-up: the demo chat app as an agent-chat app on provider "openai" (the fake
// OpenAI-compatible server, which streams real tool calls), with agent_mode tools, next to a fake
// MCP server, all behind one fake internet (the Worker and its TaskRunner run in this isolate).
import { expect } from "vitest";
import { fakeMcpHandler, type FakeMcpOptions } from "../../scripts/lib/fake-mcp-server.mjs";
import { admin, appSession, json } from "./api";
import { registerFakeProvider } from "./chat";
import { type Handler, fakeInternet } from "./fake-internet";
import { fakeOpenAIHandler } from "./fake-openai";
import { demoApp } from "./fixtures";
import { readSse, type SseEvent } from "./sse";

export const MCP_URL = "https://mcp.example/mcp";

export interface AgentOptions {
  strategy?: string;
  maxIteration?: number;
  tools?: Record<string, unknown>[];
  mcp?: FakeMcpOptions;
  hosts?: Record<string, Handler>;
  dns?: Record<string, string[]>;
  userId?: string;
}

export const timeTool = (tool_name: string, tool_parameters: Record<string, unknown> = {}) => ({
  enabled: true,
  provider_type: "builtin",
  provider_id: "time",
  provider_name: "time",
  tool_name,
  tool_label: tool_name,
  tool_parameters,
});

/** The demo chat app as agent-chat on the fake model, with `tools`. */
export function agentYaml(options: Pick<AgentOptions, "strategy" | "maxIteration" | "tools"> = {}): string {
  const agentMode = { enabled: true, strategy: options.strategy ?? "function_call", max_iteration: options.maxIteration ?? 5, tools: options.tools ?? [] };
  const yaml = demoApp("chat")
    .replace("mode: chat", "mode: agent-chat")
    .replace("provider: echo", "provider: langgenius/openai/openai")
    .replace("name: echo-1", "name: gpt-4o-mini")
    .replace(/ {2}agent_mode:\n {4}enabled: false\n {4}tools: \[\]/, `  agent_mode: ${JSON.stringify(agentMode)}`);
  expect(yaml).toContain('"strategy"');
  return yaml;
}

export async function agentSetup(options: AgentOptions = {}) {
  const llm = fakeOpenAIHandler();
  const mcp = fakeMcpHandler(options.mcp);
  const internet = fakeInternet(
    { "fake-llm.test": llm.handler, "mcp.example": (request) => mcp.handle(request), ...options.hosts },
    { "mcp.example": ["93.184.216.34"], ...options.dns },
  );
  await registerFakeProvider();
  const session = await appSession(agentYaml(options), options.userId);
  const send = (body: Record<string, unknown>) => session.get("/api/chat-messages", json({ inputs: { name: "Ada" }, response_mode: "streaming", conversation_id: "", ...body }));
  return { llm, mcp, internet, session, send };
}

/** Registers the fake MCP server and gives the app its tools (all, or the named ones). */
export async function grantMcp(appId: string, serverId = "fake", tools: string[] | null = null, url = MCP_URL): Promise<void> {
  expect((await admin(`/admin/mcp-servers/${serverId}`, json({ url }, { method: "PUT" }))).status).toBe(200);
  expect((await admin(`/admin/apps/${appId}/mcp-servers/${serverId}`, json({ tools }, { method: "PUT" }))).status).toBe(200);
}

export const kinds = (events: SseEvent[]) => events.map((e) => e.data.event as string);
export const agentAnswer = (events: SseEvent[]) => events.filter((e) => e.data.event === "agent_message").map((e) => e.data.answer as string).join("");
/** The last version of each agent_thought, by position. */
export const lastThoughts = (events: SseEvent[]) => {
  const byId = new Map<string, Record<string, any>>();
  for (const e of events) if (e.data.event === "agent_thought") byId.set(e.data.id, e.data);
  return [...byId.values()].sort((a, b) => a.position - b.position);
};

/** Sends a streamed agent message and reads it to the end (or until `until`). */
export async function agentTurn(send: (body: Record<string, unknown>) => Promise<Response>, body: Record<string, unknown>, options: Parameters<typeof readSse>[1] = {}) {
  const res = await send(body);
  expect(res.status).toBe(200);
  const read = await readSse(res.body!, options);
  const first = read.events[0].data;
  return { ...read, answer: agentAnswer(read.events), conversationId: first.conversation_id as string, messageId: first.message_id as string, taskId: first.task_id as string };
}
