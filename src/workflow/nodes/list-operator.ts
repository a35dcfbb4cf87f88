// list-operator (spec §3.17): filter → extract → order → limit over an array[string|number|boolean|
// file]; outputs result, first_record, last_record (null when empty). Conditions apply one after the
// other (all must hold). Where Dify's semantics are those of if-else, conditions.ts `compare` decides:
// numbers (= ≠ < ≤ > ≥), booleans (is, is not), and strings' is / is not / empty / not empty. The
// other string operators differ from if-else and are Dify's own here: contains / start with / end
// with hold for an empty element when the value is empty too (if-else says false), and in / not in
// mean "is a substring of the value" (if-else: "is an item of a list").
import { isObject } from "../../lib/json";
import { pyStr } from "../../llm/template";
import { compare } from "../conditions";
import { type FileValue, isEmptyValue, segmentType } from "../segments";
import { renderVariables } from "../template";
import { NodeError, type NodeDefinition } from "../types";
import { asSelector, type VariablePool } from "../variable-pool";

const SUPPORTED = new Set(["array[string]", "array[number]", "array[boolean]", "array[file]"]);
const STRING_OPERATORS = new Set(["contains", "start with", "end with", "is", "in", "empty", "not contains", "is not", "not in", "not empty"]);
const NUMBER_OPERATORS = new Set(["=", "≠", "<", "≤", ">", "≥"]);
const FILE_STRING_KEYS: Record<string, (f: FileValue) => string> = {
  name: (f) => f.filename || "",
  extension: (f) => f.extension || "",
  mime_type: (f) => f.mime_type || "",
  // Dify filters and orders by the file's remote URL, not a signed one.
  url: (f) => f.remote_url || "",
  related_id: (f) => f.related_id || "",
  type: (f) => String(f.type),
  transfer_method: (f) => String(f.transfer_method),
};

type Predicate = (item: unknown) => boolean;

interface Condition {
  key?: unknown;
  comparison_operator?: unknown;
  value?: unknown;
}

const pyType = (value: unknown) => `<class '${typeof value === "boolean" ? "bool" : typeof value === "number" ? (Number.isInteger(value) ? "int" : "float") : Array.isArray(value) ? "list" : value === null || value === undefined ? "NoneType" : "str"}'>`;

/** Python's float(text). */
function pyFloat(text: string): number {
  const t = text.trim().replace(/(\d)_(?=\d)/g, "$1");
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  throw new NodeError(`could not convert string to float: '${text}'`, "ValueError");
}

/** Python's int(text). */
function pyInt(text: string): number {
  const t = text.trim().replace(/(\d)_(?=\d)/g, "$1");
  if (!/^[+-]?\d+$/.test(t)) throw new NodeError(`invalid literal for int() with base 10: '${text}'`, "ValueError");
  return Number(t);
}

function stringPredicate(operator: string, value: string): (x: string) => boolean {
  switch (operator) {
    case "contains":
      return (x) => x.includes(value);
    case "not contains":
      return (x) => !x.includes(value);
    case "start with":
      return (x) => x.startsWith(value);
    case "end with":
      return (x) => x.endsWith(value);
    case "in":
      return (x) => value.includes(x);
    case "not in":
      return (x) => !value.includes(x);
    case "is":
    case "is not":
    case "empty":
    case "not empty":
      return (x) => compare(operator, x, value);
    default:
      throw new NodeError(`Invalid condition: ${operator}`, "InvalidConditionError");
  }
}

function numberPredicate(operator: string, value: number): (x: number) => boolean {
  if (!NUMBER_OPERATORS.has(operator)) throw new NodeError(`Invalid condition: ${operator}`, "InvalidConditionError");
  return (x) => compare(operator, x, value);
}

/** type and transfer_method: in / not in a list (or a substring of a string), as Dify. */
function sequencePredicate(operator: string, value: unknown): (x: string) => boolean {
  const within = (x: string) => (Array.isArray(value) ? value.includes(x) : String(value ?? "").includes(x));
  if (operator === "in") return within;
  if (operator === "not in") return (x) => !within(x);
  throw new NodeError(`Invalid condition: ${operator}`, "InvalidConditionError");
}

function filePredicate(key: string, operator: string, value: unknown): Predicate {
  if (key === "type" || key === "transfer_method") {
    const test = sequencePredicate(operator, value);
    return (f) => test(FILE_STRING_KEYS[key](f as FileValue));
  }
  if (key in FILE_STRING_KEYS && typeof value === "string") {
    const test = stringPredicate(operator, value);
    return (f) => test(FILE_STRING_KEYS[key](f as FileValue));
  }
  if (key === "size" && typeof value === "string") {
    const test = numberPredicate(operator, pyFloat(value));
    return (f) => test((f as FileValue).size);
  }
  throw new NodeError(`Invalid key: ${key}`, "InvalidKeyError");
}

function predicate(type: string, condition: Condition, pool: VariablePool): Predicate {
  const operator = String(condition.comparison_operator ?? "contains");
  // The UI stores values as strings; a bare YAML number is taken as its text.
  const raw = typeof condition.value === "number" ? String(condition.value) : condition.value;
  const render = (v: string) => renderVariables(v, pool);
  switch (type) {
    case "array[string]": {
      if (typeof raw !== "string") throw new NodeError(`Invalid filter value: ${pyStr(raw)}`, "InvalidFilterValueError");
      const test = stringPredicate(operator, render(raw));
      return (x) => test(x as string);
    }
    case "array[number]": {
      if (typeof raw !== "string") throw new NodeError(`Invalid filter value: ${pyStr(raw)}`, "InvalidFilterValueError");
      const test = numberPredicate(operator, pyFloat(render(raw)));
      return (x) => test(x as number);
    }
    case "array[file]": {
      if (typeof raw === "boolean") throw new NodeError(`File filter expects a string value, got ${pyType(raw)}`, "TypeError");
      return filePredicate(String(condition.key ?? ""), operator, typeof raw === "string" ? render(raw) : raw);
    }
    default: {
      if (typeof raw !== "boolean") throw new NodeError(`Boolean filter expects a boolean value, got ${pyType(raw)}`, "TypeError");
      if (operator !== "is" && operator !== "is not") throw new NodeError(`Invalid condition: ${operator}`, "InvalidConditionError");
      return (x) => compare(operator, x, raw);
    }
  }
}

/** Python's ordering: strings by code point, False < True, numbers by value. */
function ascending(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") {
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
      if (d) return d;
    }
    return x.length - y.length;
  }
  return Number(a) - Number(b);
}

function order(items: unknown[], type: string, key: string, descending: boolean): unknown[] {
  let read: (item: unknown) => unknown = (item) => item;
  if (type === "array[file]") {
    if (key in FILE_STRING_KEYS) read = (f) => FILE_STRING_KEYS[key](f as FileValue);
    else if (key === "size") read = (f) => (f as FileValue).size;
    else throw new NodeError(`Invalid order key: ${key}`, "InvalidKeyError");
  }
  // Stable both ways, as Python's sorted(reverse=True).
  return [...items].sort((a, b) => (descending ? ascending(read(b), read(a)) : ascending(read(a), read(b))));
}

const enabled = (section: unknown): section is Record<string, unknown> => isObject(section) && section.enabled === true;

export const listOperatorNode: NodeDefinition = {
  type: "list-operator",
  check: checkListOperator,
  async run({ node, pool }) {
    const { data } = node;
    const selector = asSelector(data.variable) ?? [];
    const lookup = pool.get(selector);
    if (!lookup.found) throw new NodeError(`Variable not found for selector: ${pyStr(selector)}`, "ListOperatorError");
    const value = lookup.value;
    const empty = { outputs: { result: [], first_record: null, last_record: null }, inputs: { variable: [] }, processData: { variable: [] } };
    // Dify answers any empty value (None, [], "", 0) with an empty result before looking at its type.
    if (isEmptyValue(value)) return empty;
    const type = segmentType(value);
    if (!SUPPORTED.has(type)) {
      throw new NodeError(
        `Variable ${pyStr(selector)} is not a supported array type, actual type: ${type}; the list operator works on array[string], array[number], array[boolean] and array[file]`,
        "ListOperatorError",
      );
    }
    let items = value as unknown[];
    if (enabled(data.filter_by)) {
      for (const condition of Array.isArray(data.filter_by.conditions) ? (data.filter_by.conditions as Condition[]) : []) {
        items = items.filter(predicate(type, condition, pool));
      }
    }
    if (enabled(data.extract_by)) {
      const serial = pyInt(renderVariables(String(data.extract_by.serial ?? "1"), pool));
      if (serial < 1) throw new NodeError(`Invalid serial index: must be >= 1, got ${serial}`, "ValueError");
      if (serial > items.length) throw new NodeError(`Invalid serial index: must be <= ${items.length}, got ${serial}`, "InvalidKeyError");
      items = [items[serial - 1]];
    }
    if (enabled(data.order_by)) items = order(items, type, String(data.order_by.key ?? ""), data.order_by.value === "desc");
    if (enabled(data.limit)) {
      // Python's value[:size]: a negative size drops that many from the end (Dify's default is -1).
      const size = Number(data.limit.size ?? -1);
      items = items.slice(0, Number.isInteger(size) ? size : -1);
    }
    return {
      outputs: { result: items, first_record: items[0] ?? null, last_record: items.length ? items[items.length - 1] : null },
      inputs: { variable: value },
      processData: { variable: value },
    };
  },
};

const ALL_OPERATORS = new Set([...STRING_OPERATORS, ...NUMBER_OPERATORS]);

export function checkListOperator(data: Record<string, unknown>): string | null {
  if (!asSelector(data.variable)) return "the list variable is not set";
  if (enabled(data.filter_by)) {
    for (const c of Array.isArray(data.filter_by.conditions) ? (data.filter_by.conditions as Condition[]) : []) {
      if (c.comparison_operator !== undefined && !ALL_OPERATORS.has(String(c.comparison_operator))) return `unknown filter operator "${String(c.comparison_operator)}"`;
    }
  }
  if (enabled(data.order_by) && data.order_by.value !== undefined && data.order_by.value !== "asc" && data.order_by.value !== "desc") return "order_by.value must be asc or desc";
  if (enabled(data.limit) && data.limit.size !== undefined && !Number.isInteger(Number(data.limit.size))) return "limit.size must be an integer";
  if (enabled(data.extract_by) && (data.extract_by.serial === undefined || String(data.extract_by.serial).trim() === "")) return "extract_by.serial is empty";
  return null;
}
