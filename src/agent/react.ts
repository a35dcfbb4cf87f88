// The ReAct strategy (Dify's chain-of-thought runner) for models without function calling: the tools
// are described in the prompt, the model answers Thought / Action with a JSON blob {"action",
// "action_input"}, the tool's result goes back as an Observation, until the action is "Final Answer"
// (or the reply has no action, which is taken as the answer). Stop word: "Observation". The last step
// offers no tools, as Dify's; a model that still names one has its call run and the answer stays empty.
import type { ChatMessage } from "../llm/types";
import { isObject } from "../lib/json";
import type { Json } from "../workflow/segments";
import type { AgentRun } from "./run";
import { newThought } from "./thoughts";

const FINAL = "Final Answer";

function systemPrompt(run: AgentRun, offerTools: boolean): string {
  const tools = offerTools ? run.toolSpecs().map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })) : [];
  const names = tools.map((t) => JSON.stringify(t.name)).join(", ");
  return [
    "Respond to the human as helpfully and accurately as possible.",
    run.spec.instruction,
    `You have access to the following tools:\n\n${JSON.stringify(tools, null, 2)}`,
    'Choose a tool with a JSON blob that has an "action" key (the tool name) and an "action_input" key (its input).',
    `Valid "action" values: "${FINAL}" or ${names || "(no tools)"}`,
    "Give only ONE action per JSON blob, like this:\n```\n{\n  \"action\": $TOOL_NAME,\n  \"action_input\": $ACTION_INPUT\n}\n```",
    "Use this format:\n\nQuestion: the question to answer\nThought: what to do next\nAction:\n```\n$JSON_BLOB\n```\nObservation: the action's result\n... (Thought/Action/Observation can repeat)\nThought: I know what to respond\nAction:\n```\n{\n  \"action\": \"Final Answer\",\n  \"action_input\": \"the final response to the human\"\n}\n```",
    "Begin! Always answer with a valid JSON blob of a single action. Use tools when they help; answer directly when you can. Format: Action:```$JSON_BLOB``` then Observation:.",
  ]
    .filter(Boolean)
    .join("\n\n");
}

interface Step {
  thought: string;
  action: string | null;
  input: unknown;
}

/** Reads Thought / Action from a reply; no JSON action means the reply is the final answer. */
export function parseReply(text: string): Step {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  const candidates = [fenced, /\{[\s\S]*"action"[\s\S]*\}/.exec(text)?.[0]].filter((c): c is string => typeof c === "string");
  for (const candidate of candidates) {
    try {
      const blob = JSON.parse(candidate.trim());
      if (isObject(blob) && typeof blob.action === "string") {
        const before = text.slice(0, text.indexOf("Action")).replace(/^\s*Thought:\s*/i, "").trim();
        return { thought: before, action: blob.action, input: blob.action_input ?? {} };
      }
    } catch {
      // not this one
    }
  }
  return { thought: "", action: null, input: text.replace(/^\s*(Thought:[\s\S]*?)?Final Answer:\s*/i, "").trim() };
}

export async function react(run: AgentRun): Promise<void> {
  const { spec } = run;
  const scratchpad: string[] = [];
  // Dify's CoT runner: at most min(max_iteration, 5) tool steps, then one step without tools.
  const steps = Math.min(Math.max(spec.maxIteration, 1), 5) + 1;
  for (let step = 1; step <= steps && !run.ctx.signal.aborted; step++) {
    const thought = newThought(step);
    run.thoughts.push(thought);
    const question = `Question: ${spec.query}${scratchpad.length ? `\n\n${scratchpad.join("\n\n")}` : ""}\n\nThought:`;
    const messages: ChatMessage[] = [
      { role: "system", content: systemPrompt(run, step < steps) },
      ...spec.history,
      spec.queryFiles.length ? { role: "user", content: [{ type: "text", text: question }, ...spec.queryFiles] } : { role: "user", content: question },
    ];
    const turn = await run.callModel(messages, [], { start: () => run.publish(thought) }, ["Observation"]);
    const parsed = parseReply(turn.text);
    if (parsed.action === null || parsed.action === FINAL) {
      thought.thought = parsed.thought;
      run.answer(typeof parsed.input === "string" ? parsed.input : JSON.stringify(parsed.input));
      run.publish(thought);
      return;
    }
    const input: Json = isObject(parsed.input) ? parsed.input : { input: parsed.input };
    thought.thought = parsed.thought;
    thought.tools = [{ name: parsed.action, label: run.tools.find((t) => t.name === parsed.action)?.label ?? parsed.action, input }];
    run.publish(thought);
    const observation = await run.callTool(parsed.action, input, thought);
    thought.observations[parsed.action] = observation;
    run.publish(thought);
    scratchpad.push(`Thought: ${parsed.thought}\nAction:\n\`\`\`\n${JSON.stringify({ action: parsed.action, action_input: parsed.input })}\n\`\`\`\nObservation: ${observation}`);
  }
}
