// An agent's reasoning steps (Dify's agent thoughts): what each step thought, which tools it called
// with what input, what they answered, the files they produced — sent as agent_thought events as
// they fill in (spec dify-web-api.md §5.5) and stored as message_agent_thoughts rows (§7).
import { type Statement, statement, statementBuilder } from "../db/statements";
import { messageAgentThoughts, messageFiles } from "../db/schema";
import { uuid } from "../lib/ids";
import { type FileValue, type Json, pyJson } from "../workflow/segments";

export interface Thought {
  id: string;
  position: number;
  thought: string;
  /** Tools called in this step, in order. */
  tools: { name: string; label: string; input: Json }[];
  /** Each tool's answer, by tool name. */
  observations: Record<string, string>;
  /** message_file ids of files the tools produced. */
  files: string[];
  tokens: number;
  latency: number;
  createdAt: number;
}

export function newThought(position: number): Thought {
  return { id: uuid(), position, thought: "", tools: [], observations: {}, files: [], tokens: 0, latency: 0, createdAt: Math.floor(Date.now() / 1000) };
}

/**
 * The agent_thought event's own fields. tool_input and observation are Python's json.dumps of
 * {tool: value} as Dify writes them; the observation stays "" until the tools have answered.
 */
export function thoughtEvent(thought: Thought): Json {
  const tool = thought.tools.map((t) => t.name).join(";");
  const answered = Object.keys(thought.observations).length > 0;
  return {
    event: "agent_thought",
    id: thought.id,
    position: thought.position,
    thought: thought.thought,
    observation: answered ? pyJson(Object.fromEntries(thought.tools.map((t) => [t.name, thought.observations[t.name] ?? ""]))) : "",
    tool,
    tool_labels: Object.fromEntries(thought.tools.map((t) => [t.name, { en_US: t.label, zh_Hans: t.label }])),
    tool_input: thought.tools.length ? pyJson(Object.fromEntries(thought.tools.map((t) => [t.name, t.input]))) : "",
    message_files: thought.files,
  };
}

export function thoughtRows(thoughts: Thought[], messageId: string, endUserId: string): Statement[] {
  const db = statementBuilder();
  return thoughts.map((t) => {
    const event = thoughtEvent(t);
    return statement(
      db.insert(messageAgentThoughts).values({
        id: t.id,
        messageId,
        messageChainId: null,
        position: t.position,
        thought: t.thought,
        tool: String(event.tool),
        toolLabelsStr: JSON.stringify(event.tool_labels),
        toolMetaStr: "{}",
        toolInput: String(event.tool_input),
        observation: String(event.observation),
        messageFiles: JSON.stringify(t.files),
        answer: t.thought,
        tokens: t.tokens,
        latency: t.latency,
        createdByRole: "end_user",
        createdBy: endUserId,
        createdAt: t.createdAt,
      }),
    );
  });
}

/** A tool-produced file as a message_files row (belongs_to assistant). */
export function toolFileRow(id: string, messageId: string, file: FileValue, endUserId: string): Statement {
  return statement(
    statementBuilder().insert(messageFiles).values({
      id,
      messageId,
      type: file.type,
      transferMethod: "tool_file",
      url: file.url ?? null,
      belongsTo: "assistant",
      uploadFileId: file.related_id,
      createdByRole: "end_user",
      createdBy: endUserId,
      createdAt: Math.floor(Date.now() / 1000),
    }),
  );
}
