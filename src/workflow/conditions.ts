// Condition evaluation shared by if-else cases and loop break conditions (spec dify-dsl-and-nodes.md
// §3.7). String expected values are rendered as templates first. A condition on a variable that is
// not in the pool fails ("Variable … not found"). Numbers compare as numbers; JSON does not tell an
// int from a float, so Dify's int parse of the expected value ("1.5" against an int fails) is not kept.
import { isObject } from "../lib/json";
import { isEmptyValue, isFile, type FileValue } from "./segments";
import { renderVariables } from "./template";
import { NodeError } from "./types";
import { asSelector, type VariablePool } from "./variable-pool";

export interface Condition {
  variable_selector?: unknown;
  comparison_operator?: unknown;
  value?: unknown;
  sub_variable_condition?: { logical_operator?: unknown; conditions?: SubCondition[] } | null;
}

interface SubCondition {
  key?: unknown;
  comparison_operator?: unknown;
  value?: unknown;
}

function expected(value: unknown, pool: VariablePool): unknown {
  if (typeof value === "string") return renderVariables(value, pool);
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? renderVariables(v, pool) : v));
  return value;
}

const asNumber = (value: unknown): number => {
  const n = typeof value === "number" ? value : typeof value === "boolean" ? Number(value) : Number(String(value ?? "").trim());
  if (!Number.isFinite(n)) throw new NodeError(`Invalid expected value ${JSON.stringify(value)}: not a number`, "InvalidConditionError");
  return n;
};

const asBoolean = (value: unknown): boolean => {
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new NodeError(`Invalid expected value ${JSON.stringify(value)}: not a boolean`, "InvalidConditionError");
};

const list = (value: unknown): unknown[] => {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // a single value
    }
    return [value];
  }
  return value === null || value === undefined ? [] : [value];
};

const contains = (actual: unknown, item: unknown): boolean => {
  if (typeof actual === "string") return actual.includes(String(item));
  if (Array.isArray(actual)) return actual.some((a) => a === item || String(a) === String(item));
  return false;
};

/** One operator applied to an actual value (already resolved) and an expected value (already rendered). */
export function compare(operator: string, actual: unknown, value: unknown): boolean {
  const isNull = actual === null || actual === undefined;
  switch (operator) {
    case "contains":
      return !isNull && !isEmptyValue(actual) && contains(actual, value);
    case "not contains":
      return isNull || isEmptyValue(actual) || !contains(actual, value);
    case "start with":
      return typeof actual === "string" && actual !== "" && actual.startsWith(String(value ?? ""));
    case "end with":
      return typeof actual === "string" && actual !== "" && actual.endsWith(String(value ?? ""));
    case "is":
    case "is not": {
      if (isNull) return false;
      let equal: boolean;
      if (typeof actual === "boolean") equal = actual === asBoolean(value);
      else if (typeof actual === "string") equal = actual === String(value ?? "");
      else if (typeof actual === "number") equal = actual === asNumber(value);
      else throw new NodeError(`Operator "${operator}" does not apply to this value`, "InvalidConditionError");
      return operator === "is" ? equal : !equal;
    }
    case "empty":
      return isEmptyValue(actual);
    case "not empty":
      return !isEmptyValue(actual);
    case "=":
    case "≠":
    case "!=": {
      if (isNull) return false;
      const equal = typeof actual === "boolean" ? actual === asBoolean(value) : Number(actual) === asNumber(value);
      return operator === "=" ? equal : !equal;
    }
    case ">":
    case "<":
    case "≥":
    case ">=":
    case "≤":
    case "<=": {
      if (isNull) return false;
      const a = Number(actual);
      const b = asNumber(value);
      if (operator === ">") return a > b;
      if (operator === "<") return a < b;
      if (operator === "≥" || operator === ">=") return a >= b;
      return a <= b;
    }
    case "null":
      return isNull;
    case "not null":
      return !isNull;
    case "in":
      return !isNull && !isEmptyValue(actual) && list(value).some((v) => v === actual || String(v) === String(actual));
    case "not in":
      return isNull || isEmptyValue(actual) || !list(value).some((v) => v === actual || String(v) === String(actual));
    case "all of": {
      if (isNull) return false;
      return list(value).every((v) => contains(actual, v));
    }
    case "exists":
      return !isNull;
    case "not exists":
      return isNull;
    default:
      throw new NodeError(`Unknown comparison operator "${operator}"`, "InvalidConditionError");
  }
}

const FILE_KEYS: Record<string, (f: FileValue) => unknown> = {
  type: (f) => f.type,
  extension: (f) => (f.extension.startsWith(".") ? f.extension : `.${f.extension}`),
  name: (f) => f.filename,
  mime_type: (f) => f.mime_type,
  transfer_method: (f) => f.transfer_method,
  size: (f) => f.size,
  url: (f) => f.url ?? f.remote_url,
};

/** Sub-conditions over the files of an array[file]: any file matches (all, for negated operators). */
function fileConditions(operator: string, files: FileValue[], sub: NonNullable<Condition["sub_variable_condition"]>, pool: VariablePool): boolean {
  const negated = operator === "not contains";
  const results = (sub.conditions ?? []).map((c) => {
    const keyName = String(c.key ?? "");
    const read = FILE_KEYS[keyName] ?? (() => undefined);
    let value = expected(c.value, pool);
    if (keyName === "extension" && typeof value === "string" && value && !value.startsWith(".")) value = `.${value}`;
    const test = (f: FileValue) => compare(String(c.comparison_operator ?? ""), read(f), value);
    return negated ? files.every(test) : operator === "all of" ? files.length > 0 && files.every(test) : files.some(test);
  });
  if (results.length === 0) return true;
  return sub.logical_operator === "or" ? results.some(Boolean) : results.every(Boolean);
}

export function evaluateCondition(condition: Condition, pool: VariablePool): boolean {
  const selector = asSelector(condition.variable_selector);
  if (!selector) throw new NodeError("A condition has no variable", "InvalidConditionError");
  const lookup = pool.get(selector);
  if (!lookup.found) throw new NodeError(`Variable ${selector.join(".")} not found`, "VariableNotFoundError");
  const operator = String(condition.comparison_operator ?? "");
  const actual = lookup.value;
  const sub = condition.sub_variable_condition;
  if (sub && Array.isArray(actual) && actual.every(isFile) && ["contains", "not contains", "all of"].includes(operator) && (sub.conditions?.length ?? 0) > 0) {
    return fileConditions(operator, actual as FileValue[], sub, pool);
  }
  return compare(operator, actual, expected(condition.value, pool));
}

/** Conditions combined by `and` (all, short-circuit) or `or` (any). */
export function evaluateConditions(conditions: Condition[], logical: unknown, pool: VariablePool): boolean {
  if (logical === "or") return conditions.some((c) => evaluateCondition(c, pool));
  return conditions.every((c) => evaluateCondition(c, pool));
}

export const isCondition = (value: unknown): value is Condition => isObject(value);
