// The parameter-extractor's parameters (spec §3.13, graphon parameter_extractor entities and node):
// their JSON schema, how a reply is validated (count, required, types, select options) and how its
// values are normalised, with missing or unusable values given their type's default.
import { isObject } from "../../lib/json";
import { pyStr } from "../../llm/template";
import { type Json, segmentType } from "../segments";
import { NodeError } from "../types";

const TYPES = ["string", "number", "boolean", "array[string]", "array[number]", "array[object]", "array[boolean]"] as const;
type ParameterType = (typeof TYPES)[number];
// Older exports: "bool" is boolean, "select" is a string with options.
const LEGACY: Record<string, ParameterType> = { bool: "boolean", select: "string" };
const RESERVED = new Set(["__reason", "__is_success"]);

export interface Parameter {
  name: string;
  type: ParameterType;
  options: string[];
  description: string;
  required: boolean;
}

function parameterOf(raw: unknown): Parameter {
  const p = isObject(raw) ? raw : {};
  if (typeof p.name !== "string" || !p.name) throw new NodeError("Parameter name is required", "ValueError");
  if (RESERVED.has(p.name)) throw new NodeError("Invalid parameter name, __reason and __is_success are reserved", "ValueError");
  const declared = String(p.type);
  const type = LEGACY[declared] ?? ((TYPES as readonly string[]).includes(declared) ? (declared as ParameterType) : null);
  if (!type) throw new NodeError(`type ${String(p.type)} is not allowed in the Parameter Extractor node.`, "ValueError");
  return {
    name: p.name,
    type,
    options: Array.isArray(p.options) ? p.options.map(String) : [],
    description: typeof p.description === "string" ? p.description : "",
    required: p.required === true,
  };
}

export function parameters(data: Json): Parameter[] {
  return (Array.isArray(data.parameters) ? data.parameters : []).map(parameterOf);
}

/** Why a parameter list can never run, or null. */
export function parametersProblem(data: Json): string | null {
  if (!Array.isArray(data.parameters) || !data.parameters.length) return "No parameters are configured.";
  try {
    parameters(data);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const elementType = (type: ParameterType): string | null => /^array\[(\w+)\]$/.exec(type)?.[1] ?? null;

/** The JSON schema the model is asked to fill. */
export function parameterSchema(list: Parameter[]): Json {
  const properties: Json = {};
  for (const p of list) {
    const element = elementType(p.type);
    const schema: Json = { description: p.description, type: element ? "array" : p.type };
    if (element) schema.items = { type: element };
    if (p.options.length) schema.enum = p.options;
    properties[p.name] = schema;
  }
  return { type: "object", properties, required: list.filter((p) => p.required).map((p) => p.name) };
}

// Python's bool is an int, so Dify takes true/false where a number is expected.
const isNumber = (v: unknown) => typeof v === "number" || typeof v === "boolean";
const isOfType: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: isNumber,
  boolean: (v) => typeof v === "boolean",
  object: isObject,
};

function valid(type: ParameterType, value: unknown): boolean {
  const element = elementType(type);
  if (!element) return isOfType[type](value);
  return Array.isArray(value) && value.every(isOfType[element]);
}

function pythonType(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return { string: "str", boolean: "bool", object: "dict" }[typeof value as string] ?? typeof value;
}

/** Dify's first validation failure for a reply, or null. */
export function validationError(list: Parameter[], result: Json): string | null {
  if (list.length !== Object.keys(result).length) return "Invalid number of parameters";
  for (const p of list) {
    if (p.required && !(p.name in result)) return `Parameter ${p.name} is required`;
    const value = result[p.name];
    if (!valid(p.type, value)) {
      return `Invalid value for parameter ${p.name}, expected segment type: ${p.type}, actual_type: ${segmentType(value)}, python_type: <class '${pythonType(value)}'>, value: ${pyStr(value)}`;
    }
    if (p.type === "string" && p.options.length && !p.options.includes(value as string)) return `Invalid \`select\` value for parameter ${p.name}`;
  }
  return null;
}

const UNSET = Symbol("unset");

/** A number from a number, a boolean (0/1) or numeric text ("3" an integer, "2.5" a float), as Python converts them. */
function toNumber(value: unknown): number | typeof UNSET {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value !== "string") return UNSET;
  const s = value.trim().replace(/(\d)_(?=\d)/g, "$1");
  const ok = value.includes(".") ? /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) : /^[+-]?\d+$/.test(s);
  return ok ? Number(s) : UNSET;
}

const SCALAR: Record<string, (v: unknown) => unknown> = {
  number: toNumber,
  boolean: (v) => (typeof v === "boolean" ? v : typeof v === "number" ? v !== 0 : UNSET),
  string: (v) => (typeof v === "string" ? v : UNSET),
};
const ITEM: Record<string, (v: unknown) => unknown> = {
  number: toNumber,
  string: SCALAR.string,
  object: (v) => (isObject(v) ? v : UNSET),
  boolean: (v) => (typeof v === "boolean" ? v : UNSET),
};

function defaultValue(type: ParameterType): unknown {
  if (elementType(type)) return [];
  return type === "number" ? 0 : type === "boolean" ? false : "";
}

/** Every parameter with a value of its type: converted where Dify converts, else the type's default. */
export function normalise(list: Parameter[], result: Json): Json {
  const out: Json = {};
  for (const p of list) {
    const element = elementType(p.type);
    let value: unknown = UNSET;
    if (p.name in result) {
      const raw = result[p.name];
      if (!element) value = SCALAR[p.type](raw);
      else if (Array.isArray(raw)) value = raw.map(ITEM[element]).filter((v) => v !== UNSET);
    }
    out[p.name] = value === UNSET ? defaultValue(p.type) : value;
  }
  return out;
}

/** What stands in for a reply with no JSON object: scalars at their defaults (lists are left out, as Dify does). */
export function emptyResult(list: Parameter[]): Json {
  return Object.fromEntries(list.filter((p) => !elementType(p.type)).map((p) => [p.name, defaultValue(p.type)]));
}
