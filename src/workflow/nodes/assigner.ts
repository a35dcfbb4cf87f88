// assigner v1 and v2 (spec §3.11, §3.12): writes variables outside the node — conversation variables
// (persisted per conversation as they change) and loop variables. v2 applies its items in order to a
// working copy (later items see earlier results) and fails as a whole without applying anything.
import { isObject } from "../../lib/json";
import { segmentType, zeroValue } from "../segments";
import { NodeError, type NodeDefinition, type NodeOutcome } from "../types";
import { asSelector, type Selector, type VariablePool } from "../variable-pool";

const key = (s: Selector) => s.slice(0, 2).join(".");

function target(pool: VariablePool, raw: unknown): { selector: Selector; value: unknown } {
  const selector = asSelector(raw);
  if (!selector) throw new NodeError("The variable to assign is not set", "VariableNotFoundError");
  const lookup = pool.get(selector.slice(0, 2));
  if (!lookup.found) throw new NodeError(`Variable ${selector.join(".")} not found`, "VariableNotFoundError");
  return { selector: selector.slice(0, 2), value: lookup.value };
}

function elementMatches(array: unknown[], element: unknown): boolean {
  const type = segmentType(array);
  if (type === "array[any]") return true;
  return segmentType([element]) === type;
}

function runV1(data: Record<string, unknown>, pool: VariablePool): NodeOutcome {
  const { selector, value: current } = target(pool, data.assigned_variable_selector);
  const mode = String(data.write_mode ?? "over-write");
  let value: unknown;
  if (mode === "clear") value = zeroValue(segmentType(current));
  else {
    const input = asSelector(data.input_variable_selector);
    const lookup = input ? pool.get(input) : { found: false, value: undefined };
    if (!lookup.found) throw new NodeError(`Variable ${(input ?? []).join(".")} not found`, "VariableNotFoundError");
    if (mode === "append") {
      if (!Array.isArray(current)) throw new NodeError(`append needs an array variable, ${selector.join(".")} is ${segmentType(current)}`, "InvalidInputValueError");
      value = [...current, lookup.value];
    } else value = lookup.value;
  }
  return { outputs: {}, inputs: { value }, updates: [{ selector, value }] };
}

function applyOperation(operation: string, current: unknown, input: unknown, selector: Selector): unknown {
  const fail = (why: string) => {
    throw new NodeError(`Operation "${operation}" on ${selector.join(".")}: ${why}`, "InvalidInputValueError");
  };
  switch (operation) {
    case "over-write":
      if (Array.isArray(current) && Array.isArray(input) && !input.every((e) => elementMatches(current, e))) fail("the list's elements are of another type");
      return input;
    case "clear":
      return zeroValue(segmentType(current));
    case "set": {
      const type = segmentType(current);
      if (type === "object" && typeof input === "string") {
        try {
          const parsed = JSON.parse(input);
          if (isObject(parsed)) return parsed;
        } catch {
          // falls through to the type error
        }
        fail("the value is not a JSON object");
      }
      if (type !== "none" && segmentType(input) !== type) fail(`expected a ${type}`);
      return input;
    }
    case "+=":
    case "-=":
    case "*=":
    case "/=": {
      if (typeof current !== "number") fail("the variable is not a number");
      const n = Number(input);
      if (!Number.isFinite(n) || typeof input === "boolean") fail("the value is not a number");
      if (operation === "/=" && n === 0) fail("division by zero");
      const c = current as number;
      return operation === "+=" ? c + n : operation === "-=" ? c - n : operation === "*=" ? c * n : c / n;
    }
    case "append":
      if (!Array.isArray(current)) fail("the variable is not an array");
      if (!elementMatches(current as unknown[], input)) fail("the value is not of the array's element type");
      return [...(current as unknown[]), input];
    case "extend":
      if (!Array.isArray(current)) fail("the variable is not an array");
      if (!Array.isArray(input) || !input.every((e) => elementMatches(current as unknown[], e))) fail("the value is not a list of the array's element type");
      return [...(current as unknown[]), ...(input as unknown[])];
    case "remove-first":
      if (!Array.isArray(current)) fail("the variable is not an array");
      return (current as unknown[]).slice(1);
    case "remove-last":
      if (!Array.isArray(current)) fail("the variable is not an array");
      return (current as unknown[]).slice(0, -1);
    default:
      return fail("unknown operation");
  }
}

function runV2(data: Record<string, unknown>, pool: VariablePool): NodeOutcome {
  const working = new Map<string, { selector: Selector; value: unknown }>();
  for (const item of Array.isArray(data.items) ? (data.items as Record<string, unknown>[]) : []) {
    const { selector, value: stored } = target(pool, item.variable_selector);
    const current = working.get(key(selector))?.value ?? stored;
    const operation = String(item.operation ?? "over-write");
    let input: unknown = item.value;
    if (item.input_type === "variable" && !["clear", "remove-first", "remove-last"].includes(operation)) {
      const source = asSelector(item.value);
      const lookup = source ? pool.get(source) : { found: false, value: undefined };
      // A variable input with no value skips the item (Dify).
      if (!lookup.found || lookup.value === null || lookup.value === undefined) continue;
      input = lookup.value;
    }
    working.set(key(selector), { selector, value: applyOperation(operation, current, input, selector) });
  }
  const updates = [...working.values()];
  return { outputs: {}, inputs: Object.fromEntries(updates.map((u) => [key(u.selector), u.value])), updates };
}

export const assignerNode: NodeDefinition = {
  type: "assigner",
  async run({ node, pool }) {
    return String(node.data.version ?? "1") === "2" ? runV2(node.data, pool) : runV1(node.data, pool);
  },
};
