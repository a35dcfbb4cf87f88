// The values a Jinja2 template computes with, modelled on Python's: ints are JS numbers (always
// integral), floats are boxed (`PyFloat`) so `10/2` prints `5.0`, dicts keep insertion order (a Map,
// so template-made dicts with numeric keys print in Python's order), tuples are their own type, and
// Jinja2's default `Undefined` prints empty but fails on attribute access, calls and arithmetic.
// str() and repr() print exactly as CPython does for these types.
import { isObject } from "../../../lib/json";

export class PyFloat {
  constructor(readonly value: number) {}
}

export class PyTuple {
  constructor(readonly items: Py[]) {}
}

/** A named tuple (groupby's `_GroupTuple(grouper, list)`): its items also read as attributes; it prints as a tuple. */
export class PyNamedTuple extends PyTuple {
  constructor(
    readonly typeName: string,
    readonly fields: string[],
    items: Py[],
  ) {
    super(items);
  }
}

export type DictKey = string | number | boolean | null;

export class PyDict {
  readonly map: Map<DictKey, Py>;
  constructor(entries: Iterable<[DictKey, Py]> = []) {
    this.map = new Map(entries);
  }
}

/** Jinja2's default Undefined: `hint` is the message it raises when used. */
export class Undefined {
  constructor(readonly hint: string) {}
}

export type Kwargs = Map<string, Py>;

export class PyCallable {
  constructor(
    readonly name: string,
    readonly call: (args: Py[], kwargs: Kwargs) => Py,
    readonly kind: "function" | "macro" | "method" = "function",
  ) {}
}

/** Objects with attributes (namespace(), loop, cycler): `attrs` is read and written by name. */
export class PyObject {
  constructor(
    readonly typeName: string,
    readonly attrs: Map<string, Py> = new Map(),
    readonly describe?: () => string,
  ) {}
}

export type Py = null | boolean | number | string | PyFloat | Py[] | PyTuple | PyDict | Undefined | PyCallable | PyObject;

/** Lists that print as another Python type (dict views, range objects) carry their repr here. */
export const PRINTS_AS = Symbol("printsAs");
type Tagged = Py[] & { [PRINTS_AS]?: (items: Py[]) => string };

export function tagged(items: Py[], printsAs: (items: Py[]) => string): Py[] {
  return Object.assign(items, { [PRINTS_AS]: printsAs });
}

/** Python exceptions a render can raise; the name is printed before the message, as a traceback ends. */
export class JinjaError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export const typeError = (message: string) => new JinjaError("TypeError", message);
export const valueError = (message: string) => new JinjaError("ValueError", message);
export const undefinedError = (u: Undefined) => new JinjaError("UndefinedError", u.hint);

// ---- conversion from and to JSON -----------------------------------------------------------------

export function fromJson(value: unknown): Py {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isInteger(value) ? value : new PyFloat(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(fromJson);
  if (isObject(value)) return new PyDict(Object.entries(value).map(([k, v]) => [k, fromJson(v)]));
  return String(value);
}

/** The JSON value of a template value (tojson); `null` for what JSON cannot hold is an error. */
export function toJson(value: Py): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return value;
  if (value instanceof PyFloat) {
    if (!Number.isFinite(value.value)) throw valueError("Out of range float values are not JSON compliant");
    return value.value;
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof PyTuple) return value.items.map(toJson);
  if (value instanceof PyDict) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value.map) {
      if (k !== null && typeof k === "object") throw typeError(`keys must be str, int, float, bool or None, not ${typeName(k)}`);
      out[k === null ? "null" : typeof k === "boolean" ? String(k) : String(k)] = toJson(v);
    }
    return out;
  }
  throw typeError(`Object of type ${typeName(value)} is not JSON serializable`);
}

// ---- types, truth, numbers -----------------------------------------------------------------------

export function typeName(value: Py): string {
  if (value === null) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "int";
  if (typeof value === "string") return "str";
  if (value instanceof PyFloat) return "float";
  if (Array.isArray(value)) return "list";
  if (value instanceof PyNamedTuple) return value.typeName;
  if (value instanceof PyTuple) return "tuple";
  if (value instanceof PyDict) return "dict";
  if (value instanceof Undefined) return "Undefined";
  if (value instanceof PyCallable) return value.kind === "macro" ? "Macro" : "function";
  return value.typeName;
}

export function truthy(value: Py): boolean {
  if (value === null || value instanceof Undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (value instanceof PyFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof PyTuple) return value.items.length > 0;
  if (value instanceof PyDict) return value.map.size > 0;
  return true;
}

/** int, float or bool (Python's numbers; bool is an int). */
export const isNumber = (v: Py): v is number | boolean | PyFloat => typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat;
export const isIntLike = (v: Py): v is number | boolean => typeof v === "number" || typeof v === "boolean";
export const num = (v: number | boolean | PyFloat): number => (v instanceof PyFloat ? v.value : Number(v));

export function dictKey(key: Py): DictKey {
  if (key === null || typeof key === "string" || typeof key === "number" || typeof key === "boolean") return key;
  if (key instanceof PyFloat) return key.value;
  if (key instanceof PyTuple) return repr(key);
  throw typeError(`unhashable type: '${typeName(key)}'`);
}

export function sequenceItems(value: Py): Py[] | null {
  if (Array.isArray(value)) return value;
  if (value instanceof PyTuple) return value.items;
  return null;
}

// ---- printing ------------------------------------------------------------------------------------

export function intStr(n: number): string {
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
}

/** Python's repr(float): the shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = x < 0 ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's repr(str): single quotes unless the text has a ' and no ", escapes for the rest. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) {
      const code = ch.codePointAt(0)!;
      out += code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : code < 0x10000 ? `\\u${code.toString(16).padStart(4, "0")}` : `\\U${code.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

function tupleText(items: Py[]): string {
  return items.length === 1 ? `(${repr(items[0])},)` : `(${items.map(repr).join(", ")})`;
}

/** Python's str() of a value, which is what `{{ value }}` prints. */
export function str(value: Py): string {
  if (typeof value === "string") return value;
  if (value instanceof Undefined) return "";
  return repr(value);
}

export function repr(value: Py): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return intStr(value);
  if (typeof value === "string") return strRepr(value);
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (Array.isArray(value)) {
    const printsAs = (value as Tagged)[PRINTS_AS];
    return printsAs ? printsAs(value) : `[${value.map(repr).join(", ")}]`;
  }
  if (value instanceof PyTuple) return tupleText(value.items);
  if (value instanceof PyDict) return `{${[...value.map].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;
  if (value instanceof Undefined) return "Undefined";
  if (value instanceof PyCallable) return value.kind === "macro" ? `<Macro '${value.name}'>` : `<function ${value.name}>`;
  return value.describe ? value.describe() : `<${value.typeName} object>`;
}

