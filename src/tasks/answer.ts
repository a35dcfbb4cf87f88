// The one fold of an answer from a task's events: used while generating (what to save), when
// recovering an interrupted run (what it had streamed) and for blocking responses (spec §5.7).
import type { TaskEvent } from "./types";

export class AnswerFold {
  answer = "";
  first: TaskEvent | null = null;
  end: TaskEvent | null = null;
  error: TaskEvent | null = null;
  workflow: TaskEvent | null = null;

  add(event: TaskEvent): void {
    this.first ??= event;
    switch (event.event) {
      case "message":
      case "agent_message":
        this.answer += String(event.answer ?? "");
        break;
      case "message_replace":
        this.answer = String(event.answer ?? "");
        break;
      case "message_end":
        this.end = event;
        break;
      case "error":
        this.error = event;
        break;
      case "workflow_finished":
      case "workflow_paused":
        this.workflow = event;
        break;
    }
  }
}

export function foldEvents(events: Iterable<TaskEvent>): AnswerFold {
  const fold = new AnswerFold();
  for (const event of events) fold.add(event);
  return fold;
}
