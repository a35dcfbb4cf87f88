// The function-calling strategy (Dify's FunctionCallAgentRunner): the model gets the tools as
// functions; each step streams its text as agent_message, then runs the calls it asked for and feeds
// the results back. The last allowed step has no tools, so the model has to answer.
import type { ChatMessage } from "../llm/types";
import type { Json } from "../workflow/segments";
import type { AgentRun } from "./run";
import { newThought } from "./thoughts";

function parseArguments(text: string): Json | null {
  try {
    const value = JSON.parse(text || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

export async function functionCalling(run: AgentRun): Promise<void> {
  const { spec } = run;
  const messages: ChatMessage[] = [
    ...(spec.instruction ? [{ role: "system" as const, content: spec.instruction }] : []),
    ...spec.history,
    spec.queryFiles.length ? { role: "user", content: [{ type: "text", text: spec.query }, ...spec.queryFiles] } : { role: "user", content: spec.query },
  ];
  const steps = Math.min(Math.max(spec.maxIteration, 1), 99) + 1;
  for (let step = 1; step <= steps && !run.ctx.signal.aborted; step++) {
    const thought = newThought(step);
    run.thoughts.push(thought);
    const tools = step === steps ? [] : run.toolSpecs();
    const turn = await run.callModel(messages, tools, {
      start: () => run.publish(thought),
      // Kept on the thought as it streams, so a stop mid-answer saves what the step said.
      text: (text) => {
        thought.thought += text;
        run.answer(text);
      },
    });
    thought.thought = turn.text;
    if (turn.calls.length === 0) {
      run.publish(thought);
      return;
    }
    const inputs = turn.calls.map((c) => parseArguments(c.arguments));
    thought.tools = turn.calls.map((c, i) => ({ name: c.name, label: run.tools.find((t) => t.name === c.name)?.label ?? c.name, input: inputs[i] ?? {} }));
    run.publish(thought);
    messages.push({ role: "assistant", content: turn.text, tool_calls: turn.calls });
    for (const [i, call] of turn.calls.entries()) {
      const observation = inputs[i] === null ? `tool invoke error: the arguments are not valid JSON: ${call.arguments.slice(0, 200)}` : await run.callTool(call.name, inputs[i]!, thought);
      thought.observations[call.name] = observation;
      messages.push({ role: "tool", tool_call_id: call.id, content: observation });
    }
    run.publish(thought);
  }
}
