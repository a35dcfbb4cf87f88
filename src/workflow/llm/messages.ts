// Prompt messages of the LLM-backed nodes before they go to a provider (spec dify-dsl-and-nodes.md
// §3.4 steps 1, 5, 6): text and file parts per role. Files become image parts (base64 data URLs of
// their bytes) at the end; our providers take only images, so other file types are dropped, as Dify
// drops the content types a model does not support. A message left with nothing is dropped, and no
// message at all is Dify's "No prompt found" failure.
import { bytesToBase64 } from "../../lib/crypto";
import { isObject } from "../../lib/json";
import { estimateMessagesTokens } from "../../llm/tokens";
import type { ChatMessage, ContentPart } from "../../llm/types";
import { type FileValue, isFile, type Json } from "../segments";
import { parseTemplate, renderVariables } from "../template";
import { NodeError, type NodeServices } from "../types";
import { asSelector, type VariablePool } from "../variable-pool";

export type Role = "system" | "user" | "assistant";
export type Detail = "high" | "low";
export type Part = { type: "text"; text: string } | { type: "file"; file: FileValue; detail: Detail };

export interface PromptMessage {
  role: Role;
  parts: Part[];
  /** An earlier turn from memory: vision files never join it. */
  history?: boolean;
}

export const NO_PROMPT = "No prompt found in the LLM configuration. Please ensure a prompt is properly configured before proceeding.";
const CONTEXT_PLACEHOLDER = "{{#context#}}";

// The file types a prompt template may carry (Dify's image/video/audio/document); of these only images reach a model here.
const PROMPT_FILE_TYPES = new Set(["image", "video", "audio", "document"]);

export const text = (role: Role, value: string): PromptMessage => ({ role, parts: [{ type: "text", text: value }] });

export const plainText = (message: PromptMessage): string => message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");

/** Estimated tokens of the text of `messages` (history trimming, history budgets). */
export function promptTokens(messages: PromptMessage[]): number {
  return messages.length ? estimateMessagesTokens(messages.map((m) => ({ role: m.role, content: plainText(m) }))) : 0;
}

export function asRole(value: unknown): Role {
  return value === "user" || value === "assistant" ? value : "system";
}

function referencedFiles(template: string, pool: VariablePool): FileValue[] {
  const files: FileValue[] = [];
  for (const part of parseTemplate(template)) {
    if (part.kind !== "variable") continue;
    const value = pool.get(part.selector).value;
    for (const item of Array.isArray(value) ? value : [value]) if (isFile(item) && PROMPT_FILE_TYPES.has(item.type)) files.push(item);
  }
  return files;
}

/**
 * A basic-edition message: `{{#context#}}` replaced by the context (1.14.2: exactly, "" without one),
 * the `{{#…#}}` references rendered as text. Files it references follow as a message of the same role.
 * The context is put in after rendering, so retrieved text is never read as a template.
 */
export function basicMessages(role: Role, template: string, pool: VariablePool, context: string, detail: Detail): PromptMessage[] {
  const pieces = template.split(CONTEXT_PLACEHOLDER);
  const rendered = pieces.map((piece) => renderVariables(piece, pool, "text")).join(context);
  const files = pieces.flatMap((piece) => referencedFiles(piece, pool));
  const out: PromptMessage[] = [];
  if (rendered) out.push(text(role, rendered));
  if (files.length) out.push({ role, parts: files.map((file) => ({ type: "file", file, detail })) });
  return out;
}

export interface Vision {
  files: FileValue[];
  detail: Detail;
}

/** `vision.enabled` → the files at `vision.configs.variable_selector` (default sys.files). */
export function visionFiles(data: Json, pool: VariablePool): Vision {
  const vision = isObject(data.vision) ? data.vision : {};
  const configs = isObject(vision.configs) ? vision.configs : {};
  const detail: Detail = configs.detail === "low" ? "low" : "high";
  if (vision.enabled !== true) return { files: [], detail };
  const selector = asSelector(configs.variable_selector) ?? ["sys", "files"];
  const { found, value } = pool.get(selector);
  if (!found || value === null || value === undefined) return { files: [], detail };
  if (isFile(value)) return { files: [value], detail };
  if (Array.isArray(value) && value.every(isFile)) return { files: value, detail };
  throw new NodeError(`Invalid variable type: ${selector.join(".")} is not a file or a list of files`, "InvalidVariableTypeError");
}

/** Vision files go first into the last user message of the prompt, or as a new user message. */
export function attachFiles(messages: PromptMessage[], vision: Vision): PromptMessage[] {
  if (!vision.files.length) return messages;
  const parts: Part[] = vision.files.map((file) => ({ type: "file", file, detail: vision.detail }));
  const last = messages.at(-1);
  if (last && last.role === "user" && !last.history) return [...messages.slice(0, -1), { role: "user", parts: [...parts, ...last.parts] }];
  return [...messages, { role: "user", parts }];
}

function mimeType(file: FileValue): string {
  if (file.mime_type?.startsWith("image/")) return file.mime_type;
  const ext = (file.extension || file.filename.slice(file.filename.lastIndexOf("."))).replace(/^\./, "").toLowerCase();
  return ext === "jpg" ? "image/jpeg" : ext ? `image/${ext === "svg" ? "svg+xml" : ext}` : "image/png";
}

async function imagePart(services: NodeServices, file: FileValue, detail: Detail): Promise<ContentPart> {
  const bytes = await services.readFile(file);
  return { type: "image_url", image_url: { url: `data:${mimeType(file)};base64,${bytesToBase64(bytes)}`, detail } };
}

/** The provider's messages: images read as data URLs, one text part as plain content, empty messages dropped. */
export async function toChatMessages(messages: PromptMessage[], services: NodeServices): Promise<ChatMessage[]> {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    const parts: ContentPart[] = [];
    for (const part of message.parts) {
      if (part.type === "text") parts.push({ type: "text", text: part.text });
      else if (part.file.type === "image") parts.push(await imagePart(services, part.file, part.detail));
    }
    if (parts.length === 1 && parts[0].type === "text") {
      if (parts[0].text) out.push({ role: message.role, content: parts[0].text });
    } else if (parts.length) out.push({ role: message.role, content: parts });
  }
  if (!out.length) throw new NodeError(NO_PROMPT, "NoPromptFoundError");
  return out;
}

/** The prompt as a node record shows it (Dify's process_data.prompts), without file bytes. */
export function promptsForRecord(messages: ChatMessage[]): Json[] {
  return messages.map((m) => ({
    role: m.role,
    text: typeof m.content === "string" ? m.content : m.content.map((p) => (p.type === "text" ? p.text : "")).join(""),
    files: typeof m.content === "string" ? [] : m.content.flatMap((p) => (p.type === "image_url" ? [{ type: "image", detail: p.image_url.detail ?? "high" }] : [])),
  }));
}
