// agent-chat with the function-calling strategy against a fake OpenAI-compatible model that streams
// real tool calls: Dify's event order and shapes, tool messages fed back, parallel calls, unknown
// tools, malformed arguments, failing tools, max_iteration, stop during a tool and during the model,
// usage summed over every call, thoughts stored and returned by /api/messages, history with tools.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { messagePage } from "../../src/schemas/conversations";
import { forgetMcpSessions } from "../../src/tools/mcp/client";
import { call, expectError, expectShape, passport, webHeaders, json } from "../helpers/api";
import { agentSetup, agentTurn, kinds, lastThoughts, timeTool } from "../helpers/agent";
import { settledMessage } from "../helpers/chat";
import { hang } from "../helpers/fake-internet";

const YEAR = String(new Date().getUTCFullYear());
const THOUGHT_KEYS = ["event", "conversation_id", "message_id", "created_at", "task_id", "id", "position", "thought", "observation", "tool", "tool_labels", "tool_input", "message_files"];
const STORED_KEYS = ["id", "chain_id", "message_id", "position", "thought", "tool", "tool_labels", "tool_input", "created_at", "observation", "files"];

const thoughtRows = (messageId: string) =>
  env.DB.prepare("SELECT * FROM message_agent_thoughts WHERE message_id = ? ORDER BY position").bind(messageId).all<Record<string, any>>().then((r) => r.results);

/** Polls until the final write of the answer (and its thoughts) landed. */
const settled = (messageId: string) => settledMessage(messageId, (r) => r.status === "error" || r.provider_response_latency > 0);

beforeEach(() => forgetMcpSessions());
afterEach(() => vi.restoreAllMocks());

describe("function calling: one tool call", () => {
  it("streams Dify's events in order, feeds the tool's answer back, sums usage and stores the thoughts", async () => {
    const { llm, send, session } = await agentSetup({ tools: [timeTool("current_time", { format: "%Y", timezone: "UTC" }), timeTool("weekday")] });
    llm.once({ chunks: [], toolCalls: [{ id: "call_a", name: "current_time", arguments: "{}" }], usage: { prompt_tokens: 10, completion_tokens: 5 } });
    llm.once({ chunks: ["It is ", YEAR, "."], usage: { prompt_tokens: 20, completion_tokens: 7 } });
    const turn = await agentTurn(send, { query: "What year is it?" });

    expect(kinds(turn.events)).toEqual(["agent_thought", "agent_thought", "agent_thought", "agent_thought", "agent_message", "agent_message", "agent_message", "agent_thought", "message_end"]);
    const thoughts = turn.events.filter((e) => e.data.event === "agent_thought").map((e) => e.data);
    for (const t of thoughts) expect(Object.keys(t)).toEqual(THOUGHT_KEYS);
    const [opened, called, answered, second, final] = thoughts;
    expect(opened).toMatchObject({ position: 1, thought: "", tool: "", tool_input: "", observation: "", tool_labels: {}, message_files: [] });
    expect(called).toMatchObject({ id: opened.id, tool: "current_time", tool_input: '{"current_time": {}}', observation: "", tool_labels: { current_time: { en_US: "Current Time", zh_Hans: "Current Time" } } });
    expect(answered).toMatchObject({ id: opened.id, observation: `{"current_time": "${YEAR}"}` });
    expect(second).toMatchObject({ position: 2, thought: "", tool: "" });
    expect(final).toMatchObject({ id: second.id, position: 2, thought: `It is ${YEAR}.`, tool: "", observation: "" });
    const message = turn.events.find((e) => e.data.event === "agent_message")!.data;
    expect(Object.keys(message)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "answer"]);
    expect(message.id).toBe(turn.messageId);
    expect(turn.answer).toBe(`It is ${YEAR}.`);
    expect(turn.events.at(-1)!.data.metadata.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 });

    // The model got both tools as functions, then its call and the tool's answer.
    const [first, next] = llm.requests.map((r) => r.body);
    expect(first.tools).toEqual([
      { type: "function", function: { name: "current_time", description: "A tool for getting the current time.", parameters: { type: "object", properties: {}, required: [] } } },
      {
        type: "function",
        function: {
          name: "weekday",
          description: "A tool for calculating the weekday of a given date by year, month and day.",
          parameters: { type: "object", properties: { year: { type: "number", description: "Year" }, month: { type: "number", description: "Month" }, day: { type: "number", description: "day" } }, required: ["year", "month", "day"] },
        },
      },
    ]);
    expect(next.messages.slice(-3)).toEqual([
      { role: "user", content: "What year is it?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_a", type: "function", function: { name: "current_time", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_a", content: YEAR },
    ]);

    const row = await settled(turn.messageId);
    expect(row).toMatchObject({ answer: `It is ${YEAR}.`, status: "normal", message_tokens: 30, answer_tokens: 12, agent_based: 1 });
    const rows = await thoughtRows(turn.messageId);
    expect(rows.map((r) => [r.position, r.tool, r.tool_input, r.observation, r.thought])).toEqual([
      [1, "current_time", '{"current_time": {}}', `{"current_time": "${YEAR}"}`, ""],
      [2, "", "", "", `It is ${YEAR}.`],
    ]);

    const page = await expectShape(await session.get(`/api/messages?conversation_id=${turn.conversationId}`), messagePage);
    const stored = page.data[0].agent_thoughts as Record<string, unknown>[];
    expect(stored.map((t) => Object.keys(t))).toEqual([STORED_KEYS, STORED_KEYS]);
    expect(stored[0]).toMatchObject({ id: opened.id, chain_id: null, message_id: turn.messageId, position: 1, tool: "current_time", tool_labels: called.tool_labels, tool_input: called.tool_input, observation: answered.observation, files: [] });
    expect(stored[1]).toMatchObject({ position: 2, thought: `It is ${YEAR}.` });
  });

  it("runs parallel calls in one step, each answered under its own call id", async () => {
    const { llm, send } = await agentSetup({ tools: [timeTool("current_time", { format: "%Y" }), timeTool("weekday")] });
    llm.once({ chunks: ["Let me check. "], toolCalls: [{ id: "c1", name: "weekday", arguments: '{"year": 2024, "month": 2, "day": 29}' }, { id: "c2", name: "current_time", arguments: "{}" }] });
    llm.once({ chunks: ["Thursday."] });
    const turn = await agentTurn(send, { query: "Which weekday was 2024-02-29?" });
    const [step1, step2] = lastThoughts(turn.events);
    expect(step1).toMatchObject({
      thought: "Let me check. ",
      tool: "weekday;current_time",
      tool_input: '{"weekday": {"year": 2024, "month": 2, "day": 29}, "current_time": {}}',
      observation: `{"weekday": "February 29, 2024 is Thursday.", "current_time": "${YEAR}"}`,
    });
    expect(step2.thought).toBe("Thursday.");
    expect(turn.answer).toBe("Let me check. Thursday.");
    expect(llm.requests[1].body.messages.slice(-3)).toEqual([
      {
        role: "assistant",
        content: "Let me check. ",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "weekday", arguments: '{"year": 2024, "month": 2, "day": 29}' } },
          { id: "c2", type: "function", function: { name: "current_time", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "February 29, 2024 is Thursday." },
      { role: "tool", tool_call_id: "c2", content: YEAR },
    ]);
  });
});

describe("function calling: what goes wrong becomes the observation", () => {
  it("an unknown tool, malformed arguments, a failing tool and missing arguments", async () => {
    const { llm, send } = await agentSetup({ tools: [timeTool("weekday"), timeTool("timezone_conversion")] });
    llm.once({
      chunks: [],
      toolCalls: [
        { id: "u", name: "launch_rockets", arguments: "{}" },
        { id: "m", name: "weekday", arguments: '{"year": 2024,' },
        { id: "f", name: "timezone_conversion", arguments: '{"current_time": "2024-01-01 00:00:00", "current_timezone": "Mars/Base", "target_timezone": "UTC"}' },
      ],
    });
    llm.once({ chunks: [], toolCalls: [{ id: "r", name: "weekday", arguments: '{"year": 2024}' }] });
    llm.once({ chunks: ["Sorry."] });
    const turn = await agentTurn(send, { query: "go" });
    const [step1, step2, step3] = lastThoughts(turn.events);
    expect(JSON.parse(step1.observation)).toEqual({
      launch_rockets: "there is not a tool named launch_rockets",
      weekday: 'tool invoke error: the arguments are not valid JSON: {"year": 2024,',
      timezone_conversion: "tool invoke error: Invalid timezone: 'Mars/Base'",
    });
    expect(JSON.parse(step1.tool_input)).toEqual({ launch_rockets: {}, weekday: {}, timezone_conversion: { current_time: "2024-01-01 00:00:00", current_timezone: "Mars/Base", target_timezone: "UTC" } });
    expect(step1.tool_labels.launch_rockets).toEqual({ en_US: "launch_rockets", zh_Hans: "launch_rockets" });
    expect(JSON.parse(step2.observation)).toEqual({ weekday: "tool invoke error: Missing required parameter month" });
    expect(step3.thought).toBe("Sorry.");
    expect(kinds(turn.events).at(-1)).toBe("message_end");
    expect((await settled(turn.messageId)).status).toBe("normal");
  });

  it("stops offering tools at max_iteration: the last call has none and must answer", async () => {
    const { llm, send } = await agentSetup({ maxIteration: 2, tools: [timeTool("current_time", { format: "%Y" })] });
    llm.once({ chunks: [], toolCalls: [{ name: "current_time", arguments: "{}" }] });
    llm.once({ chunks: [], toolCalls: [{ name: "current_time", arguments: "{}" }] });
    llm.once({ chunks: ["Enough."] });
    llm.use({ chunks: ["never asked"] });
    const turn = await agentTurn(send, { query: "loop" });
    expect(llm.requests).toHaveLength(3);
    expect(llm.requests.map((r) => Array.isArray(r.body.tools))).toEqual([true, true, false]);
    expect(lastThoughts(turn.events).map((t) => [t.position, t.tool])).toEqual([
      [1, "current_time"],
      [2, "current_time"],
      [3, ""],
    ]);
    expect(turn.answer).toBe("Enough.");
  });
});

describe("function calling: stop", () => {
  it("stops a hanging tool: its request is aborted, the run ends with message_end and the thoughts so far are saved", async () => {
    let aborted = false;
    const { llm, send, session } = await agentSetup({
      tools: [{ enabled: true, provider_type: "builtin", provider_id: "webscraper", tool_name: "webscraper", tool_parameters: {} }],
      hosts: {
        "slow.example": (request) => {
          request.signal.addEventListener("abort", () => (aborted = true));
          return hang(request);
        },
      },
      dns: { "slow.example": ["93.184.216.34"] },
    });
    llm.once({ chunks: ["Reading it. "], toolCalls: [{ name: "webscraper", arguments: '{"url": "https://slow.example/page"}' }] });
    let stoppedAt = 0;
    const turn = await agentTurn(send, { query: "read the page" }, {
      onEvent: async (event) => {
        if (event.data.event === "agent_thought" && event.data.tool === "webscraper" && !stoppedAt) {
          await new Promise((r) => setTimeout(r, 50)); // the tool is running
          const stop = await session.get(`/api/chat-messages/${event.data.task_id}/stop`, { method: "POST" });
          expect(await stop.json()).toEqual({ result: "success" });
          stoppedAt = Date.now();
        }
      },
    });
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(kinds(turn.events).at(-1)).toBe("message_end");
    expect(aborted).toBe(true);
    expect(llm.requests).toHaveLength(1);
    const row = await settled(turn.messageId);
    expect(row).toMatchObject({ answer: "Reading it. ", status: "normal" });
    const rows = await thoughtRows(turn.messageId);
    expect(rows.map((r) => [r.tool, r.observation])).toEqual([["webscraper", '{"webscraper": "The tool call was stopped."}']]);
  });

  it("stops during the model's answer: the partial answer and every thought so far are saved", async () => {
    const { llm, send, session } = await agentSetup({ tools: [timeTool("current_time", { format: "%Y" })] });
    llm.once({ chunks: [], toolCalls: [{ name: "current_time", arguments: "{}" }] });
    llm.once({ chunks: ["The year ", "is ", "..."], stallAfter: 1 });
    const turn = await agentTurn(send, { query: "year?" }, {
      onEvent: async (event) => {
        if (event.data.event === "agent_message") await session.get(`/api/chat-messages/${event.data.task_id}/stop`, { method: "POST" });
      },
    });
    expect(kinds(turn.events).at(-1)).toBe("message_end");
    expect(turn.answer).toBe("The year ");
    await vi.waitFor(() => expect(llm.requests[1].aborted).toBe(true));
    const row = await settled(turn.messageId);
    expect(row).toMatchObject({ answer: "The year ", status: "normal" });
    expect((await thoughtRows(turn.messageId)).map((r) => [r.position, r.tool, r.thought])).toEqual([
      [1, "current_time", ""],
      [2, "", "The year "],
    ]);
  });
});

describe("function calling: the conversation", () => {
  it("gives the model the earlier turns with their tool calls, and keeps the conversation its owner's", async () => {
    const { llm, send, session } = await agentSetup({ tools: [timeTool("current_time", { format: "%Y" })] });
    llm.once({ chunks: [], toolCalls: [{ id: "t1", name: "current_time", arguments: "{}" }] });
    llm.once({ chunks: [`It is ${YEAR}.`] });
    const first = await agentTurn(send, { query: "year?" });
    await settled(first.messageId);
    llm.once({ chunks: ["Yes."] });
    await agentTurn(send, { query: "sure?", conversation_id: first.conversationId });
    const history = llm.requests[2].body.messages.slice(1);
    expect(history).toEqual([
      { role: "user", content: "year?" },
      { role: "assistant", content: null, tool_calls: [{ id: expect.any(String), type: "function", function: { name: "current_time", arguments: "{}" } }] },
      { role: "tool", tool_call_id: history[1].tool_calls[0].id, content: YEAR },
      { role: "assistant", content: `It is ${YEAR}.` },
      { role: "user", content: "sure?" },
    ]);

    const stranger = await passport(session.app.site_code, "someone-else");
    const body = json({ inputs: {}, query: "mine now?", response_mode: "streaming", conversation_id: first.conversationId }, { headers: webHeaders(session.app.site_code, stranger) });
    await expectError(await call("/api/chat-messages", body), 404, "not_found", "Conversation Not Exists.");
    await expectError(await call(`/api/messages?conversation_id=${first.conversationId}`, { headers: webHeaders(session.app.site_code, stranger) }), 404, "not_found", "Conversation Not Exists.");
  });
});
