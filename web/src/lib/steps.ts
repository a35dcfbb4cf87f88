// The steps of a run as the pages show them: workflow and chatflow nodes (node_started,
// node_finished, node_retry, iteration and loop events; spec dify-web-api.md §5.5) and agent
// thoughts (agent_thought events, or agent_thoughts of /api/messages).
import type { StreamEvent } from "./stream";

export interface Step {
  id: string;
  kind: "node" | "thought";
  title: string;
  /** running | succeeded | failed | exception | stopped | paused | retry */
  status: string;
  nodeType?: string;
  nodeId?: string;
  /** Seconds. */
  elapsed?: number;
  error?: string;
  /** Agent thoughts: what the model thought, the tool input, and what the tool answered. */
  thought?: string;
  input?: string;
  observation?: string;
}

export function upsertStep(steps: Step[], step: Step): Step[] {
  const i = steps.findIndex((s) => s.id === step.id);
  return i === -1 ? [...steps, step] : steps.map((s, j) => (j === i ? { ...s, ...step } : s));
}

const NODE_EVENTS = new Set(["node_started", "node_finished", "node_retry", "iteration_started", "iteration_completed", "loop_started", "loop_completed"]);

/** The step a node or iteration/loop event makes, or null (other events; nodes inside an iteration or loop, shown there in Dify). */
export function nodeStep(event: StreamEvent): Step | null {
  if (!NODE_EVENTS.has(event.event)) return null;
  const data = event.data ?? {};
  if (data.iteration_id || data.loop_id) return null;
  const started = event.event.endsWith("_started");
  const step: Step = { id: String(data.id ?? data.node_id), kind: "node", title: data.title ?? data.node_type ?? "", status: started ? "running" : event.event === "node_retry" ? "retry" : (data.status ?? "succeeded"), nodeType: data.node_type, nodeId: data.node_id };
  if (!started && typeof data.elapsed_time === "number") step.elapsed = data.elapsed_time;
  if (!started && data.error) step.error = String(data.error);
  return step;
}

export interface ThoughtRecord {
  id: string;
  thought?: string | null;
  tool?: string | null;
  tool_input?: string | null;
  observation?: string | null;
}

/** An agent thought as a step (null when it has neither a thought nor a tool yet). */
export function thoughtStep(t: ThoughtRecord, finished: boolean): Step | null {
  if (!t.thought && !t.tool) return null;
  return {
    id: t.id,
    kind: "thought",
    title: t.tool || "",
    status: t.tool && !t.observation && !finished ? "running" : "succeeded",
    thought: t.thought || undefined,
    input: t.tool_input || undefined,
    observation: t.observation || undefined,
  };
}
