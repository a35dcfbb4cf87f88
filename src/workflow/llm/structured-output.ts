// Structured output of the llm node (spec §3.4): `structured_output_enabled` + `structured_output.schema`.
// Dify passes the schema natively (response_format json_schema) to models that declare support, and
// otherwise asks for JSON in the system prompt and repairs what comes back. Our ModelParams carry no
// response_format and providers declare no features, so every model takes the prompt path here.
import { isObject } from "../../lib/json";
import { pyJson, type Json } from "../segments";
import { NodeError } from "../types";
import { parseStructuredOutput, ReplyParseError } from "./json";
import type { PromptMessage } from "./messages";

/** The schema when structured output is on, else null; a schema that is not an object fails the node. */
export function structuredSchema(data: Json): Json | null {
  if (data.structured_output_enabled !== true || data.structured_output === null || data.structured_output === undefined) return null;
  const config = data.structured_output;
  if (!isObject(config) || !Object.keys(config).length) throw new NodeError("Please provide a valid structured output schema", "LLMNodeError");
  const schema = config.schema ?? {};
  if (!isObject(schema)) throw new NodeError("structured_output_schema must be a JSON object", "LLMNodeError");
  return schema;
}

/** Why a structured output config can never run, or null. */
export function schemaProblem(data: Json): string | null {
  try {
    structuredSchema(data);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function instruction(schema: Json): string {
  return [
    "You are a helpful AI assistant. You answer questions, and you answer in JSON.",
    "Rules:",
    "    - Reply with JSON only.",
    "    - Write boolean values as strings, never as booleans.",
    "    - Write integers and floats as JSON numbers.",
    "Example:",
    "    JSON schema:",
    '    {"additionalProperties": false, "properties": {"city": {"type": "string"}, "population": {"type": "number"}}, "required": ["city", "population"], "type": "object"}',
    "",
    "    Question:",
    "    Lyon has about 520000 inhabitants.",
    "",
    "    Output:",
    '    {"city": "Lyon", "population": 520000}',
    "The JSON schema to follow:",
    pyJson(schema),
    "",
  ].join("\n");
}

/**
 * The prompt with the JSON instruction as its one system message, ahead of the first system
 * message's text when that was plain text (Dify keeps only that one system message).
 */
export function withSchemaInstruction(messages: PromptMessage[], schema: Json): PromptMessage[] {
  const first = messages.find((m) => m.role === "system");
  const plain = first && first.parts.every((p) => p.type === "text") ? first.parts.map((p) => (p.type === "text" ? p.text : "")).join("") : null;
  const system = plain ? `${instruction(schema)}\n\n${plain}` : instruction(schema);
  return [{ role: "system", parts: [{ type: "text", text: system }] }, ...messages.filter((m) => m.role !== "system")];
}

/** The reply as the structured_output object; unreadable JSON fails the node. */
export function readStructuredOutput(reply: string): Json {
  try {
    return parseStructuredOutput(reply);
  } catch (err) {
    if (err instanceof ReplyParseError) throw new NodeError(err.message, "LLMNodeError");
    throw err;
  }
}
