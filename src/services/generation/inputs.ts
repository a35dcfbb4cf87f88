// Input validation against an app's user_input_form (spec dify-web-api.md §8.2; Dify's
// BaseAppGenerator._prepare_user_inputs / _validate_inputs, messages kept word for word).
import { InvalidParam } from "../../lib/errors";
import { pyStr } from "../../llm/template";
import type { RequestLimits } from "../../config";
import { cleanJson, cleanText, utf8Length } from "../../lib/text";
import { isObject } from "../../lib/json";

type Json = Record<string, unknown>;

export interface InputVariable {
  type: string;
  variable: string;
  required: boolean;
  default: unknown;
  maxLength: number | null;
  options: string[];
  config: Json;
}

/** Form items in either shape: old structure `{"<type>": {...}}` or a start-node variable with `type`. */
export function formVariables(form: unknown[]): InputVariable[] {
  const out: InputVariable[] = [];
  for (const item of form) {
    if (typeof item !== "object" || item === null) continue;
    let type: string;
    let config: Json;
    const entries = Object.entries(item as Json);
    if (typeof (item as Json).variable === "string") {
      config = item as Json;
      type = String(config.type ?? "text-input");
    } else if (entries.length === 1 && typeof entries[0][1] === "object" && entries[0][1] !== null) {
      [type, config] = entries[0] as [string, Json];
    } else continue;
    // External data tools are filled server-side, never by the user (and refused at import).
    if (type === "external_data_tool" || typeof config.variable !== "string") continue;
    out.push({
      type,
      variable: config.variable,
      required: config.required === true,
      default: config.default ?? null,
      maxLength: typeof config.max_length === "number" && config.max_length > 0 ? config.max_length : null,
      options: Array.isArray(config.options) ? config.options.map(String) : [],
      config,
    });
  }
  return out;
}

const STRING_TYPES = new Set(["text-input", "select", "paragraph"]);

function pyList(values: string[]): string {
  return pyStr(values);
}

function validateOne(v: InputVariable, raw: unknown, limits: RequestLimits): unknown {
  let value = typeof raw === "string" ? cleanText(raw) : raw;
  if (value === null || value === undefined) {
    if (v.required) throw new InvalidParam(`${v.variable} is required in input form`, v.variable);
    value = v.default;
    if (value === null || value === undefined) return null;
  }
  if ((v.type === "file" || v.type === "file-list") && !v.required && value === "") return null;
  if (STRING_TYPES.has(v.type) && typeof value !== "string") {
    throw new InvalidParam(`(type '${v.type}') ${v.variable} in input form must be a string`, v.variable);
  }
  switch (v.type) {
    case "number":
      if (typeof value === "number") return value;
      if (typeof value === "string") {
        if (!value.trim()) return null;
        const parsed = value.includes(".") ? Number.parseFloat(value) : Number(value);
        if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) || !Number.isFinite(parsed)) {
          throw new InvalidParam(`${v.variable} in input form must be a valid number`, v.variable);
        }
        return parsed;
      }
      throw new InvalidParam(`${v.variable} in input form must be a valid number`, v.variable);
    case "select":
      if (!v.options.includes(value as string)) {
        throw new InvalidParam(`${v.variable} in input form must be one of the following: ${pyList(v.options)}`, v.variable);
      }
      return value;
    case "text-input":
    case "paragraph":
    {
      const length = [...(value as string)].length;
      if (v.maxLength && length > v.maxLength) {
        throw new InvalidParam(`${v.variable} in input form must be less than ${v.maxLength} characters`, v.variable);
      }
      // Beyond Dify: a ceiling for every text value, whatever the form allows.
      if (length > limits.inputChars) throw new InvalidParam(`${v.variable} in input form must be less than ${limits.inputChars} characters`, v.variable);
      return value;
    }
    case "file":
      if (!isObject(value)) throw new InvalidParam(`${v.variable} in input form must be a file`, v.variable);
      return value;
    case "file-list":
      if (!Array.isArray(value) || !value.every(isObject)) throw new InvalidParam(`${v.variable} in input form must be a list of files`, v.variable);
      if (v.maxLength && value.length > v.maxLength) {
        throw new InvalidParam(`${v.variable} in input form must be less than ${v.maxLength} files`, v.variable);
      }
      return value;
    case "checkbox":
      if (typeof value === "string") {
        const normalized = value.trim().toLowerCase();
        if (["true", "1", "yes", "on"].includes(normalized)) return true;
        if (["false", "0", "no", "off"].includes(normalized)) return false;
      } else if (typeof value === "number") {
        if (value === 1) return true;
        if (value === 0) return false;
      }
      return value;
    case "json_object":
      if (value && !isObject(value)) throw new InvalidParam(`${v.variable} in input form must be a dict`, v.variable);
      return value;
    default:
      throw new InvalidParam(`${v.variable} has an unsupported input type '${v.type}'`, v.variable);
  }
}

/**
 * Keeps only declared variables, applies required/default rules and type checks, cleans every string
 * (lib/text.ts) and bounds the whole by INPUTS_MAX_BYTES.
 */
export function validateInputs(form: unknown[], inputs: unknown, limits: RequestLimits): Json {
  const given = isObject(inputs) ? inputs : {};
  const out: Json = {};
  for (const v of formVariables(form)) out[v.variable] = cleanJson(validateOne(v, given[v.variable], limits));
  checkInputsSize(out, limits);
  return out;
}

/** INPUTS_MAX_BYTES over the validated inputs as stored (JSON). */
export function checkInputsSize(inputs: Json, limits: RequestLimits): void {
  const bytes = utf8Length(JSON.stringify(inputs));
  if (bytes > limits.inputsBytes) throw new InvalidParam(`inputs are too large: ${bytes} bytes, the limit is ${limits.inputsBytes} bytes`, "inputs");
}

/** A chat or completion query, cleaned and bounded by QUERY_MAX_LENGTH. */
export function boundedQuery(query: string, limits: RequestLimits): string {
  const cleaned = cleanText(query);
  if (cleaned.length > limits.queryChars && [...cleaned].length > limits.queryChars) {
    throw new InvalidParam(`query must be less than ${limits.queryChars} characters`, "query");
  }
  return cleaned;
}
