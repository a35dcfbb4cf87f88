// The llm node's prompt (spec dify-dsl-and-nodes.md §3.4 "Prompt building", graphon 0.5.1 LLMNode):
// chat models get the template messages, then the conversation's history and the memory query;
// completion models get one user prompt with the history text in it. Vision files go into the last
// user message. Every `{{#…#}}` a template names must exist, as must every jinja2 variable.
import { isObject } from "../../lib/json";
import { renderJinja } from "../jinja";
import { toText, type Json } from "../segments";
import { templateSelectors } from "../template";
import { NodeError, type NodeRun } from "../types";
import { asSelector } from "../variable-pool";
import { historyMessages, historyText, type MemoryConfig, memoryConfig, windowLimit } from "./memory";
import { asRole, attachFiles, basicMessages, type PromptMessage, text, type Vision, visionFiles } from "./messages";
import { historyBudget, type PreparedModel } from "./model";

interface TemplateMessage {
  role?: unknown;
  text?: unknown;
  edition_type?: unknown;
  jinja2_text?: unknown;
}

interface LlmPrompt {
  messages: PromptMessage[];
  /** What the node record shows as its inputs (Dify's node_inputs). */
  inputs: Json;
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");
const isJinja = (m: TemplateMessage) => m.edition_type === "jinja2";

/** Chat templates are a list of messages, completion templates one object (Dify decides by the shape). */
export function templateMessages(data: Json): { kind: "chat" | "completion"; messages: TemplateMessage[] } | null {
  if (Array.isArray(data.prompt_template)) return { kind: "chat", messages: data.prompt_template.filter(isObject) };
  if (isObject(data.prompt_template)) return { kind: "completion", messages: [data.prompt_template] };
  return null;
}

/** The values the templates reference; a reference to nothing fails the node (Dify's "Variable … not found"). */
function requiredInputs(run: NodeRun, templates: string[]): Json {
  const inputs: Json = {};
  for (const template of templates) {
    for (const selector of templateSelectors(template)) {
      const lookup = run.pool.get(selector);
      const name = `#${selector.join(".")}#`;
      if (!lookup.found) throw new NodeError(`Variable ${name} not found`, "VariableNotFoundError");
      inputs[name] = lookup.value ?? "";
    }
  }
  return inputs;
}

function jinjaVariables(run: NodeRun): Record<string, unknown> {
  const config = isObject(run.node.data.prompt_config) ? run.node.data.prompt_config : {};
  const variables: Record<string, unknown> = {};
  for (const entry of Array.isArray(config.jinja2_variables) ? config.jinja2_variables.filter(isObject) : []) {
    const name = str(entry.variable);
    const lookup = run.pool.get(asSelector(entry.value_selector) ?? []);
    if (!lookup.found) throw new NodeError(`Variable ${name} not found`, "VariableNotFoundError");
    variables[name] = lookup.value;
  }
  return variables;
}

/** The context text: a string, or list items (strings, or objects with content and an optional summary) one per line. */
function contextText(run: NodeRun): string {
  const context = isObject(run.node.data.context) ? run.node.data.context : {};
  const selector = asSelector(context.variable_selector);
  if (context.enabled !== true || !selector) return "";
  const { value } = run.pool.get(selector);
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return "";
  let out = "";
  for (const item of value) {
    if (typeof item === "string") out += `${item}\n`;
    else if (isObject(item) && "content" in item) out += `${item.summary ? `${toText(item.summary)}\n` : ""}${toText(item.content)}\n`;
    else throw new NodeError(`Invalid context structure: ${JSON.stringify(item)}`, "InvalidContextStructureError");
  }
  return out.trim();
}

async function render(message: TemplateMessage, run: NodeRun, context: string, vision: Vision, jinja: Record<string, unknown>): Promise<PromptMessage[]> {
  const role = asRole(message.role);
  if (!isJinja(message)) return basicMessages(role, str(message.text), run.pool, context, vision.detail);
  const template = str(message.jinja2_text);
  return [text(role, template ? await renderJinja(template, jinja) : "")];
}

/** The memory query: query_prompt_template, else sys.query taken as it is (not read as a template). */
function memoryQuery(run: NodeRun, memory: MemoryConfig, vision: Vision): PromptMessage[] {
  if (memory.queryPromptTemplate) return basicMessages("user", memory.queryPromptTemplate, run.pool, "", vision.detail);
  const query = run.pool.get(["sys", "query"]);
  const value = query.found ? toText(query.value) : "";
  return value ? [text("user", value)] : [];
}

async function completionPrompt(run: NodeRun, model: PreparedModel, message: TemplateMessage, context: string, vision: Vision, jinja: Record<string, unknown>, memory: MemoryConfig | null): Promise<PromptMessage[]> {
  let prompt = isJinja(message)
    ? str(message.jinja2_text) && (await renderJinja(str(message.jinja2_text), jinja))
    : basicMessages("user", str(message.text), run.pool, context, vision.detail).flatMap((m) => m.parts.flatMap((p) => (p.type === "text" ? [p.text] : []))).join("");
  let history = "";
  // Memory needs a conversation; a completion prompt then also needs the role prefixes.
  if (memory && run.services.conversationId) {
    if (!memory.rolePrefix) throw new NodeError("Memory role prefix is required for completion model.", "MemoryRolePrefixRequiredError");
    const turns = await historyMessages(run.services, windowLimit(memory, true), historyBudget(model));
    history = historyText(turns, memory.rolePrefix.user, memory.rolePrefix.assistant);
  }
  // Dify replaces the bare "#histories#" and leaves the template's braces around the history; the
  // whole placeholder is replaced here, so no stray braces reach the model.
  if (prompt.includes("#histories#")) prompt = prompt.split("{{#histories#}}").join(history).split("#histories#").join(history);
  else if (history) prompt = `${history}\n${prompt}`;
  return [text("user", prompt)];
}

export async function llmPrompt(run: NodeRun, model: PreparedModel): Promise<LlmPrompt> {
  const data = run.node.data;
  const template = templateMessages(data);
  const memory = memoryConfig(data);
  const messages = template?.messages ?? [];
  const inputs = requiredInputs(run, [
    ...messages.map((m) => (isJinja(m) && str(m.jinja2_text) ? str(m.jinja2_text) : str(m.text))),
    memory?.queryPromptTemplate ?? "",
  ]);
  const jinja = jinjaVariables(run);
  const vision = visionFiles(data, run.pool);
  const context = contextText(run);
  if (vision.files.length) inputs["#files#"] = vision.files;
  if (context) inputs["#context#"] = context;
  Object.assign(inputs, { model_provider: model.config.provider, model_name: model.config.name });

  let prompt: PromptMessage[] = [];
  if (template?.kind === "completion") prompt = await completionPrompt(run, model, messages[0], context, vision, jinja, memory);
  else if (template) {
    for (const message of messages) prompt.push(...(await render(message, run, context, vision, jinja)));
    if (memory) {
      // History needs a conversation (chatflows); the memory query is added either way, as Dify does.
      if (run.services.conversationId) prompt.push(...(await historyMessages(run.services, windowLimit(memory, true), historyBudget(model))));
      prompt.push(...memoryQuery(run, memory, vision));
    }
  }
  return { messages: attachFiles(prompt, vision), inputs };
}
