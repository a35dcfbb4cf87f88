// Runtime values of a workflow and how they read as text (spec dify-dsl-and-nodes.md §2.3, §2.4).
// Values are plain JSON; a file is Dify's serialised File (dify_model_identity "__dify__file__").
// Their segment type is read off the value; JSON numbers do not keep Python's int/float
// distinction, so an integral float prints as an int ("1", where Python prints "1.0").
import { pyStr } from "../llm/template";
import { isObject } from "../lib/json";

export type Json = Record<string, unknown>;

export const FILE_IDENTITY = "__dify__file__";

export interface FileValue {
  dify_model_identity: typeof FILE_IDENTITY;
  id: string | null;
  tenant_id: string;
  type: string;
  transfer_method: string;
  remote_url: string | null;
  related_id: string | null;
  filename: string;
  extension: string;
  mime_type: string;
  size: number;
  /** A URL the file can be read at (signed preview URL for uploads). */
  url?: string | null;
}

export const isFile = (value: unknown): value is FileValue => isObject(value) && value.dify_model_identity === FILE_IDENTITY;

export type SegmentType =
  | "none"
  | "string"
  | "number"
  | "boolean"
  | "object"
  | "file"
  | "array[string]"
  | "array[number]"
  | "array[boolean]"
  | "array[object]"
  | "array[file]"
  | "array[any]";

export function segmentType(value: unknown): SegmentType {
  if (value === null || value === undefined) return "none";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (isFile(value)) return "file";
  if (Array.isArray(value)) {
    if (value.length === 0) return "array[any]";
    if (value.every((v) => typeof v === "string")) return "array[string]";
    if (value.every((v) => typeof v === "number")) return "array[number]";
    if (value.every((v) => typeof v === "boolean")) return "array[boolean]";
    if (value.every(isFile)) return "array[file]";
    if (value.every(isObject)) return "array[object]";
    return "array[any]";
  }
  return "object";
}

/** Python's json.dumps(value, ensure_ascii=False): ", " and ": " separators, optional indent. */
export function pyJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  if (text === undefined) return "null";
  if (indent !== undefined) return text;
  // Re-serialise with Python's default separators (outside strings only).
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    out += ch;
    if (inString) {
      if (ch === "\\") out += text[++i];
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "," || ch === ":") out += " ";
  }
  return out;
}

/** What a value reads as in prompts, HTTP requests and classifier instructions (`.text`). */
export function toText(value: unknown): string {
  const type = segmentType(value);
  switch (type) {
    case "none":
    case "file":
    case "array[file]":
      return "";
    case "string":
      return value as string;
    case "number":
    case "boolean":
      return pyStr(value);
    case "object":
      return pyJson(value);
    case "array[string]":
      return (value as unknown[]).length ? pyJson(value) : "";
    default:
      return (value as unknown[]).length ? pyStr(value) : "";
  }
}

function fileMarkdown(file: FileValue): string {
  const url = file.url ?? file.remote_url ?? "";
  return file.type === "image" ? `![${file.filename}](${url})` : `[${file.filename}](${url})`;
}

/** What a value reads as in answers and End outputs streamed to the user (`.markdown`). */
export function toMarkdown(value: unknown): string {
  const type = segmentType(value);
  switch (type) {
    case "object":
      return JSON.stringify(value, null, 2);
    case "file":
      return fileMarkdown(value as FileValue);
    case "array[file]":
      return (value as FileValue[]).map(fileMarkdown).join("\n");
    case "array[string]":
    case "array[number]":
    case "array[boolean]":
    case "array[object]":
    case "array[any]":
      return (value as unknown[]).map((item) => `- ${typeof item === "string" ? item : isFile(item) ? fileMarkdown(item) : pyStr(item)}`).join("\n");
    default:
      return toText(value);
  }
}

/** Files anywhere in a value (End outputs and answers list them). */
export function filesIn(value: unknown): FileValue[] {
  if (isFile(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(filesIn);
  return [];
}

/** Python truthiness of a JSON value (if-else "empty"). */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value) && !isFile(value)) return Object.keys(value).length === 0;
  return false;
}

/** The zero value of a segment type (assigner "clear"). */
export function zeroValue(type: SegmentType | string): unknown {
  if (type.startsWith("array")) return [];
  switch (type) {
    case "string":
      return "";
    case "number":
    case "integer":
    case "float":
      return 0;
    case "boolean":
      return false;
    case "object":
      return {};
    default:
      return null;
  }
}
