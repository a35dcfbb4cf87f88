// A workflow run's state as events (GET /api/workflow/{id}/events?include_state_snapshot=true, spec
// dify-web-api.md §6.2): workflow_started (reason "initial"), for chatflows a message_replace with the
// answer so far, each executed node's (stripped) node_started and, unless it is still running, its
// node_finished; if paused, one human_input_required per waiting form and workflow_paused; if over,
// message_end (chatflows) and workflow_finished. Built from the run's own event log.
import { AnswerFold } from "../tasks/answer";
import type { TaskStatus } from "../tasks/storage";
import type { TaskEvent } from "../tasks/types";
import type { WorkflowSpec } from "./program";

const data = (e: TaskEvent) => (e.data ?? {}) as Record<string, unknown>;

export function workflowSnapshot(spec: WorkflowSpec, events: Iterable<TaskEvent>, status: TaskStatus): TaskEvent[] {
  const fold = new AnswerFold();
  let started: TaskEvent | null = null;
  const nodes = new Map<string, { started: TaskEvent; finished: TaskEvent | null }>();
  const forms = new Map<string, TaskEvent>();
  let paused: TaskEvent | null = null;
  let messageEnd: TaskEvent | null = null;
  let finished: TaskEvent | null = null;
  for (const event of events) {
    fold.add(event);
    switch (event.event) {
      case "workflow_started":
        started ??= event;
        break;
      case "node_started":
        nodes.set(String(data(event).id), { started: event, finished: null });
        break;
      case "node_finished": {
        const entry = nodes.get(String(data(event).id));
        if (entry) entry.finished = event;
        break;
      }
      case "human_input_required":
        forms.set(String(data(event).node_id), event);
        break;
      case "human_input_form_filled":
      case "human_input_form_timeout":
        forms.delete(String(data(event).node_id));
        break;
      case "workflow_paused":
        paused = event;
        break;
      case "message_end":
        messageEnd = event;
        break;
      case "workflow_finished":
        finished = event;
        break;
    }
  }
  const out: TaskEvent[] = [];
  if (started) out.push({ ...started, data: { ...data(started), reason: "initial" } });
  if (spec.chat) out.push({ event: "message_replace", ...spec.chat.envelope, task_id: spec.taskId, answer: fold.answer, reason: "" });
  for (const entry of nodes.values()) {
    out.push(entry.started);
    if (entry.finished) out.push(entry.finished);
  }
  if (status === "paused") {
    out.push(...forms.values());
    if (paused) out.push(paused);
  }
  if (status === "finished") {
    if (messageEnd) out.push(messageEnd);
    if (finished) out.push(finished);
  }
  return out;
}
