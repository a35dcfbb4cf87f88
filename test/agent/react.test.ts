// agent-chat with the ReAct strategy (Dify's chain of thought for models without function calling):
// tools described in the prompt, "Observation" as stop word, JSON action blobs parsed from the
// streamed reply, observations fed back in the scratchpad, Final Answer streamed as agent_message.
import { afterEach, describe, expect, it, vi } from "vitest";
import { agentSetup, agentTurn, kinds, lastThoughts, timeTool } from "../helpers/agent";
import { settledMessage } from "../helpers/chat";

const YEAR = String(new Date().getUTCFullYear());
const action = (thought: string, name: string, input: unknown) => `Thought: ${thought}\nAction:\n\`\`\`\n${JSON.stringify({ action: name, action_input: input })}\n\`\`\`\n`;
/** The reply split in a few pieces, as a model streams it. */
const streamed = (text: string) => text.match(/[\s\S]{1,9}/g)!;

afterEach(() => vi.restoreAllMocks());

describe("ReAct", () => {
  it("prompts with the tools, runs the chosen action, feeds the observation back and streams the final answer", async () => {
    const { llm, send } = await agentSetup({ strategy: "react", tools: [timeTool("current_time", { format: "%Y" }), timeTool("weekday")] });
    llm.once({ chunks: streamed(action("I should look at the clock.", "current_time", {})) });
    llm.once({ chunks: streamed(action("I know it now.", "Final Answer", `It is ${YEAR}.`)) });
    const turn = await agentTurn(send, { query: "What year is it?" });

    expect(kinds(turn.events)).toEqual(["agent_thought", "agent_thought", "agent_thought", "agent_thought", "agent_message", "agent_thought", "message_end"]);
    const [step1, step2] = lastThoughts(turn.events);
    expect(step1).toMatchObject({ position: 1, thought: "I should look at the clock.", tool: "current_time", tool_input: '{"current_time": {}}', observation: `{"current_time": "${YEAR}"}` });
    expect(step2).toMatchObject({ position: 2, thought: "I know it now.", tool: "", observation: "" });
    expect(turn.answer).toBe(`It is ${YEAR}.`);

    const [first, second] = llm.requests.map((r) => r.body);
    expect(first.tools).toBeUndefined();
    expect(first.stop).toContain("Observation");
    const system = first.messages[0];
    expect(system.role).toBe("system");
    expect(system.content).toContain("You are a friendly assistant helping Ada. Answer briefly.");
    expect(system.content).toContain('"name": "weekday"');
    expect(system.content).toContain('Valid "action" values: "Final Answer" or "current_time", "weekday"');
    expect(first.messages.at(-1)).toEqual({ role: "user", content: "Question: What year is it?\n\nThought:" });
    expect(second.messages.at(-1).content).toBe(
      `Question: What year is it?\n\nThought: I should look at the clock.\nAction:\n\`\`\`\n{"action":"current_time","action_input":{}}\n\`\`\`\nObservation: ${YEAR}\n\nThought:`,
    );
    const row = await settledMessage(turn.messageId, (r) => r.provider_response_latency > 0);
    expect(row).toMatchObject({ answer: `It is ${YEAR}.`, status: "normal" });
  });

  it("takes a reply without an action (or with a blob that does not parse) as the answer", async () => {
    const { llm, send } = await agentSetup({ strategy: "react", tools: [timeTool("weekday")] });
    llm.once({ chunks: ["Thought: easy.\nFinal Answer: ", "Paris is in France."] });
    expect((await agentTurn(send, { query: "Where is Paris?" })).answer).toBe("Paris is in France.");
    const broken = 'Action:\n```\n{"action": "weekday", "action_input": {"year": 2024\n```';
    llm.once({ chunks: [broken] });
    const turn = await agentTurn(send, { query: "weekday?" });
    expect(turn.answer).toBe(broken);
    expect(lastThoughts(turn.events).map((t) => t.tool)).toEqual([""]);
    expect(llm.requests).toHaveLength(2);
  });

  it("answers an unknown action and a failing tool as observations", async () => {
    const { llm, send } = await agentSetup({ strategy: "react", tools: [timeTool("timezone_conversion")] });
    llm.once({ chunks: [action("Try rockets.", "launch_rockets", "now")] });
    llm.once({ chunks: [action("Convert.", "timezone_conversion", { current_time: "2024-01-01 00:00:00", current_timezone: "Mars/Base", target_timezone: "UTC" })] });
    llm.once({ chunks: [action("Give up.", "Final Answer", "I cannot.")] });
    const turn = await agentTurn(send, { query: "go" });
    const [s1, s2, s3] = lastThoughts(turn.events);
    expect(s1).toMatchObject({ tool: "launch_rockets", tool_input: '{"launch_rockets": {"input": "now"}}', observation: '{"launch_rockets": "there is not a tool named launch_rockets"}' });
    expect(JSON.parse(s2.observation)).toEqual({ timezone_conversion: "tool invoke error: Invalid timezone: 'Mars/Base'" });
    expect(s3.thought).toBe("Give up.");
    expect(turn.answer).toBe("I cannot.");
  });

  it("offers no tools on the last step: at most min(max_iteration, 5) tool steps, then one more", async () => {
    const { llm, send } = await agentSetup({ strategy: "react", maxIteration: 9, tools: [timeTool("current_time", { format: "%Y" })] });
    llm.use({ chunks: [action("Again.", "current_time", {})] });
    const turn = await agentTurn(send, { query: "loop" });
    expect(llm.requests).toHaveLength(6);
    const prompts = llm.requests.map((r) => r.body.messages[0].content as string);
    expect(prompts.slice(0, 5).every((p) => p.includes('Valid "action" values: "Final Answer" or "current_time"'))).toBe(true);
    expect(prompts[5]).toContain('Valid "action" values: "Final Answer" or (no tools)');
    expect(prompts[5]).not.toContain('"name": "current_time"');
    expect(lastThoughts(turn.events)).toHaveLength(6);
    expect(kinds(turn.events).at(-1)).toBe("message_end");
    expect(turn.answer).toBe("");
  });
});
