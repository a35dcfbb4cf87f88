// Code-node output validation, rule for rule and message for message as graphon's CodeNode
// (_transform_result and friends, Dify 1.14.2): every declared output present, no undeclared keys,
// types per declared type (booleans pass as numbers and become 0/1), string length, number range and
// precision, nesting depth, array lengths, and where null is accepted. Messages print Python's type
// names (`<class 'str'>` where Dify formats type(value), `str` where it formats its __name__).
import { isObject } from "../../lib/json";
import type { WorkflowSettings } from "../types";
import { NodeError } from "../types";
import { floatRepr } from "./jinja/values";

export interface OutputSchema {
  type: string;
  children?: Record<string, OutputSchema> | null;
}

export const OUTPUT_TYPES = ["string", "number", "object", "boolean", "array[string]", "array[number]", "array[object]", "array[boolean]"];

type Limits = Pick<WorkflowSettings, "codeMaxStringLength" | "codeMaxNumber" | "codeMinNumber" | "codeMaxPrecision" | "codeMaxDepth" | "codeMaxStringArrayLength" | "codeMaxObjectArrayLength" | "codeMaxNumberArrayLength">;

const fail = (message: string) => new NodeError(message, "OutputValidationError");

function pyName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  return "dict";
}
const pyClass = (value: unknown) => `<class '${pyName(value)}'>`;

/** A limit as Python prints the int: CODE_MAX_NUMBER's 2^63 − 1 is 2^63 once it is a double. */
function pyInt(n: number): string {
  if (n === 2 ** 63) return "9223372036854775807";
  return Number.isSafeInteger(n) || !Number.isInteger(n) ? String(n) : BigInt(n).toString();
}

const isNum = (v: unknown): v is number | boolean => typeof v === "number" || typeof v === "boolean";
const path = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const indexed = (prefix: string, name: string, i: number) => `${path(prefix, name)}[${i}]`;

export class OutputValidator {
  constructor(private readonly limits: Limits) {}

  private checkString(value: string | null, variable: string): string | null {
    if (value === null) return null;
    if (value.length > this.limits.codeMaxStringLength) {
      throw fail(`The length of output variable \`${variable}\` must be less than ${this.limits.codeMaxStringLength} characters`);
    }
    return value.replace(/\0/g, "");
  }

  private checkNumber(value: number | boolean | null, variable: string): number | boolean | null {
    if (value === null) return null;
    const n = Number(value);
    if (n > this.limits.codeMaxNumber || n < this.limits.codeMinNumber) {
      throw fail(`Output variable \`${variable}\` is out of range, it must be between ${pyInt(this.limits.codeMinNumber)} and ${pyInt(this.limits.codeMaxNumber)}.`);
    }
    if (typeof value === "number" && !Number.isInteger(value) && Number.isFinite(value)) {
      // Decimal(str(value)).normalize(): digits after the point of Python's shortest repr.
      const [mantissa, exp] = floatRepr(value).replace(/^-/, "").split("e");
      const [, frac = ""] = mantissa.split(".");
      const precision = Math.max(0, frac.replace(/0+$/, "").length - Number(exp ?? 0));
      if (precision > this.limits.codeMaxPrecision) {
        throw fail(`Output variable \`${variable}\` has too high precision, it must be less than ${this.limits.codeMaxPrecision} digits.`);
      }
    }
    return value;
  }

  private untypedList(name: string, value: unknown[], prefix: string, depth: number): void {
    const first = value[0] ?? null;
    if (first === null) return;
    if (isNum(first) && value.every((v) => v === null || isNum(v))) {
      value.forEach((v, i) => this.checkNumber(v as number | null, indexed(prefix, name, i)));
      return;
    }
    if (typeof first === "string" && value.every((v) => v === null || typeof v === "string")) {
      value.forEach((v, i) => this.checkString(v as string | null, indexed(prefix, name, i)));
      return;
    }
    if ((isObject(first) && value.every((v) => v === null || isObject(v))) || (Array.isArray(first) && value.every((v) => v === null || Array.isArray(v)))) {
      value.forEach((v, i) => {
        // Dify would call .items() on a nested list (AttributeError); nested lists are validated as lists.
        if (Array.isArray(v)) this.untypedList(`${name}[${i}]`, v, prefix, depth + 1);
        else if (v !== null) this.transform(v as Record<string, unknown>, null, indexed(prefix, name, i), depth + 1);
      });
      return;
    }
    throw fail(`Output ${path(prefix, name)} is not a valid array. make sure all elements are of the same type.`);
  }

  private untyped(name: string, value: unknown, prefix: string, depth: number): void {
    if (isObject(value)) this.transform(value, null, path(prefix, name), depth + 1);
    else if (typeof value === "boolean" || value === null) return;
    else if (typeof value === "number") this.checkNumber(value, path(prefix, name));
    else if (typeof value === "string") this.checkString(value, path(prefix, name));
    else if (Array.isArray(value)) this.untypedList(name, value, prefix, depth);
    else throw fail(`Output ${path(prefix, name)} is not a valid type.`);
  }

  private array(value: unknown, p: string, max: number): unknown[] | null {
    if (!Array.isArray(value)) {
      if (value === null) return null;
      throw fail(`Output ${p} is not an array, got ${pyClass(value)} instead.`);
    }
    if (value.length > max) throw fail(`The length of output variable \`${p}\` must be less than ${max} elements.`);
    return value;
  }

  private typed(name: string, schema: OutputSchema, value: unknown, prefix: string, depth: number): unknown {
    const p = path(prefix, name);
    switch (schema.type) {
      case "object":
        if (value === null) return null;
        if (!isObject(value)) throw fail(`Output ${p} is not an object, got ${pyClass(value)} instead.`);
        return this.transform(value, schema.children ?? null, p, depth + 1);
      case "number": {
        if (value !== null && !isNum(value)) throw fail(`Output ${p} is not a number, got ${pyClass(value)} instead.`);
        const n = this.checkNumber(value as number | boolean | null, p);
        return typeof n === "boolean" ? Number(n) : n;
      }
      case "string":
        if (value !== null && typeof value !== "string") throw fail(`Output ${p} must be a string, got ${pyName(value)} instead.`);
        return this.checkString(value as string | null, p);
      case "boolean":
        // Dify does not check a boolean output's type.
        return value;
      case "array[number]": {
        const items = this.array(value, p, this.limits.codeMaxNumberArrayLength);
        if (!items) return null;
        items.forEach((v, i) => {
          if (!isNum(v)) throw fail(`The element at index ${i} of output variable \`${p}\` must be a number.`);
        });
        return items.map((v) => (typeof v === "boolean" ? Number(v) : v));
      }
      case "array[string]": {
        const items = this.array(value, p, this.limits.codeMaxStringArrayLength);
        if (!items) return null;
        return items.map((v, i) => {
          if (v !== null && typeof v !== "string") throw fail(`Output ${p}[${i}] must be a string, got ${pyName(v)} instead.`);
          return this.checkString(v as string | null, indexed(prefix, name, i));
        });
      }
      case "array[object]": {
        const items = this.array(value, p, this.limits.codeMaxObjectArrayLength);
        if (!items) return null;
        items.forEach((v, i) => {
          if (v !== null && !isObject(v)) throw fail(`Output ${p}[${i}] is not an object, got ${pyClass(v)} instead at index ${i}.`);
        });
        return items.map((v, i) => (v === null ? null : this.transform(v as Record<string, unknown>, schema.children ?? null, indexed(prefix, name, i), depth + 1)));
      }
      case "array[boolean]": {
        if (!Array.isArray(value)) {
          if (value === null) return null;
          throw fail(`Output ${p} is not an array, got ${pyClass(value)} instead.`);
        }
        value.forEach((v, i) => {
          if (v !== null && typeof v !== "boolean") throw fail(`Output ${p}[${i}] is not a boolean, got ${pyClass(v)} instead.`);
        });
        return value;
      }
    }
    throw fail(`Output type ${schema.type} is not supported.`);
  }

  /** graphon's _transform_result: the validated outputs (schema) or the result itself (no schema). */
  transform(result: Record<string, unknown>, schema: Record<string, OutputSchema> | null, prefix = "", depth = 1): Record<string, unknown> {
    if (depth > this.limits.codeMaxDepth) throw new NodeError(`Depth limit ${this.limits.codeMaxDepth} reached, object too deep.`, "DepthLimitError");
    if (schema === null) {
      for (const [name, value] of Object.entries(result)) this.untyped(name, value, prefix, depth);
      return result;
    }
    const out: Record<string, unknown> = {};
    for (const [name, config] of Object.entries(schema)) {
      if (!Object.hasOwn(result, name)) throw fail(`Output ${path(prefix, name)} is missing.`);
      out[name] = this.typed(name, config, result[name], prefix, depth);
    }
    if (Object.keys(out).length !== Object.keys(result).length) throw new NodeError("Not all output parameters are validated.", "CodeNodeError");
    return out;
  }
}

/** Why an outputs schema can never validate (Dify refuses it when it loads the node), or null. */
export function checkOutputSchema(outputs: unknown, where = "outputs"): string | null {
  if (!isObject(outputs)) return `${where} must be a mapping of output names to {type, children}`;
  for (const [name, config] of Object.entries(outputs)) {
    if (!isObject(config) || typeof config.type !== "string") return `${where}.${name} needs a type`;
    if (!OUTPUT_TYPES.includes(config.type)) return `invalid type for code output ${name}, expected one of ${OUTPUT_TYPES.join(", ")}, actual ${config.type}`;
    if (config.children !== null && config.children !== undefined) {
      const nested = checkOutputSchema(config.children, `${where}.${name}.children`);
      if (nested) return nested;
    }
  }
  return null;
}
