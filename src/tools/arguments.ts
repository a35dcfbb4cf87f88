// Tool arguments from Dify's DSL forms. A workflow tool node gives each model-side ("llm") parameter as
// {type: mixed|variable|constant, value} (mixed: a {{#node.var#}} template, variable: a selector);
// form parameters come from tool_configurations (plain values, or the same {type, value} objects in
// newer exports). An agent gives the model's plain arguments and its tool_parameters as the
// configuration. Then, as Dify's ToolManager and cast_parameter_value do: an empty form value takes
// the declared default, a required one still empty fails, a select must be one of its options, and
// every value is cast to its declared type. The pool is read through injected functions, so this
// layer does not depend on the workflow engine.
import { isObject } from "../lib/json";
import { pyRepr, pyStr } from "../llm/template";
import type { Json } from "../workflow/segments";
import { type Tool, ToolError, type ToolParameter } from "./types";

/** The workflow's variable pool as a tool node reads it. */
export interface PoolReader {
  /** The value at a selector, or undefined when it does not exist. */
  value(selector: string[]): unknown;
  /** A template rendered as text (the engine's convert_template(...).text). */
  text(template: string): string;
}

export interface ToolInputs {
  /** Workflow: {name: {type, value}}; agent (no reader): the model's arguments as plain values. */
  toolParameters?: Record<string, unknown> | null;
  /** The DSL's tool_configurations (workflow) or an agent tool's tool_parameters. */
  toolConfigurations?: Record<string, unknown> | null;
}

const invalid = (message: string) => new ToolError(message, "ToolParameterValidationError");

/** Python's truthiness test Dify uses to decide a form value is missing (`not value and value != 0`). */
const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

const isSelector = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === "string");

const isInputForm = (value: unknown): value is { type: string; value: unknown } =>
  isObject(value) && typeof value.type === "string" && "value" in value && Object.keys(value).every((k) => k === "type" || k === "value");

/** One {type, value} input read from the pool; undefined when a variable does not exist. */
function readInput(input: { type: string; value: unknown }, reader: PoolReader): unknown {
  switch (input.type) {
    case "variable": {
      if (!isSelector(input.value)) throw invalid("Variable tool input value must be a list of strings.");
      return reader.value(input.value);
    }
    case "mixed":
      return reader.text(pyStr(input.value));
    case "constant":
      // Dify renders str(value) as a template, so a constant 5 arrives as "5" and an object as its
      // Python repr (which then no longer parses as an object); only strings are rendered here.
      return typeof input.value === "string" ? reader.text(input.value) : input.value;
    default:
      throw invalid(`Unknown tool input type '${input.type}'`);
  }
}

function parseNumber(text: string): number {
  const trimmed = text.trim();
  if (trimmed.includes(".")) {
    const n = Number(trimmed);
    if (trimmed === "" || !Number.isFinite(n)) throw invalid(`could not convert string to float: ${pyRepr(text)}`);
    return n;
  }
  if (!/^[+-]?\d+$/.test(trimmed)) throw invalid(`invalid literal for int() with base 10: ${pyRepr(text)}`);
  return Number(trimmed);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** cast_parameter_value: a value as its declared tool parameter type. */
export function castParameter(parameter: ToolParameter, value: unknown): unknown {
  switch (parameter.type) {
    case "string":
    case "secret-input":
    case "select":
      if (value === null || value === undefined) return "";
      return typeof value === "string" ? value : isObject(value) || Array.isArray(value) ? JSON.stringify(value) : pyStr(value);
    case "boolean":
      if (value === null || value === undefined) return false;
      if (typeof value === "string") {
        const lower = value.toLowerCase();
        if (["true", "yes", "y", "1"].includes(lower)) return true;
        if (["false", "no", "n", "0"].includes(lower)) return false;
        return value !== "";
      }
      return Boolean(value);
    case "number":
      if (typeof value === "number") return value;
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "string" && value !== "") return parseNumber(value);
      if (value === null || value === undefined || value === "") return null;
      throw invalid(`The tool parameter value ${pyStr(value)} is not in correct type of number.`);
    case "files":
      return Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    case "file":
      if (Array.isArray(value)) {
        if (value.length !== 1) throw invalid("This parameter only accepts one file but got multiple files while invoking.");
        return value[0];
      }
      return value ?? null;
    case "array": {
      if (Array.isArray(value)) return value;
      const parsed = typeof value === "string" ? parseJson(value) : undefined;
      return Array.isArray(parsed) ? parsed : value === null || value === undefined ? [] : [value];
    }
    case "object": {
      if (isObject(value)) return value;
      const parsed = typeof value === "string" ? parseJson(value) : undefined;
      return isObject(parsed) ? parsed : {};
    }
    default:
      return value;
  }
}

/**
 * The arguments `tool` is called with. Throws ToolError("…", "ToolParameterValidationError") for a
 * required parameter without a value, a select value outside its options, a value that does not
 * cast, a malformed selector or an unknown input type.
 */
export function resolveArguments(tool: Tool, inputs: ToolInputs, reader?: PoolReader | null): Json {
  const parameters = inputs.toolParameters ?? {};
  const configurations = inputs.toolConfigurations ?? {};
  const declared = new Set(tool.parameters.map((p) => p.name));
  const args: Json = {};
  const read = (raw: unknown): unknown => (reader && isInputForm(raw) ? readInput(raw, reader) : raw);

  for (const parameter of tool.parameters) {
    if (parameter.form === "form") {
      const raw = parameter.name in configurations ? configurations[parameter.name] : parameters[parameter.name];
      let value = read(raw);
      if (isEmpty(value)) {
        value = parameter.default;
        if (isEmpty(value) && parameter.required) throw invalid(`tool parameter ${parameter.name} not found in tool config`);
      }
      if (parameter.type === "select" && parameter.options?.length && !isEmpty(value) && !parameter.options.includes(pyStr(value))) {
        throw invalid(`tool parameter ${parameter.name} value ${pyStr(value)} not in options ${pyStr(parameter.options)}`);
      }
      if (value !== undefined) args[parameter.name] = castParameter(parameter, value);
      continue;
    }
    const raw = parameters[parameter.name];
    let value = read(raw);
    if (value === undefined && reader && isInputForm(raw) && raw.type === "variable" && parameter.required) {
      throw invalid(`Variable ${pyStr(raw.value)} does not exist`);
    }
    if (value === undefined || value === null) value = parameter.default;
    if (value === undefined || value === null) {
      if (parameter.required) throw invalid(`Missing required parameter ${parameter.name}`);
      continue;
    }
    args[parameter.name] = castParameter(parameter, value);
  }

  // Undeclared keys: a workflow passes its unknown parameters as None (Dify's tool node); agents and
  // configurations keep theirs as given (dynamic ones such as the audio tools' "voice#<model>").
  for (const [name, raw] of Object.entries(parameters)) {
    if (!declared.has(name)) args[name] = reader ? null : (raw as unknown);
  }
  for (const [name, raw] of Object.entries(configurations)) {
    if (!declared.has(name) && !(name in args)) args[name] = reader ? read(raw) : raw;
  }
  return args;
}
