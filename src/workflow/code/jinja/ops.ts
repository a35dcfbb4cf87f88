// Python's operators over template values: equality (1 == 1.0 == True), ordering, arithmetic with
// int/float results as Python has them, membership, iteration and len(), with Python's messages.
import { pyModulo } from "./format";
import {
  type Py,
  PyDict,
  PyFloat,
  PyTuple,
  Undefined,
  dictKey,
  isIntLike,
  isNumber,
  num,
  sequenceItems,
  str,
  typeError,
  truthy as truthyOf,
  typeName,
  undefinedError,
  JinjaError,
} from "./values";

/** Longest string or list an operator may build (a guard against `'x' * 10**9`). */
export const MAX_BUILT_LENGTH = 10_000_000;

export function eq(a: Py, b: Py): boolean {
  if (isNumber(a) && isNumber(b)) return num(a) === num(b);
  if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => eq(v, b[i]));
  if (a instanceof PyTuple && b instanceof PyTuple) return a.items.length === b.items.length && a.items.every((v, i) => eq(v, b.items[i]));
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.map.size !== b.map.size) return false;
    for (const [k, v] of a.map) if (!b.map.has(k) || !eq(v, b.map.get(k)!)) return false;
    return true;
  }
  return a === b;
}

const SYMBOLS: Record<string, string> = { "<": "<", ">": ">", "<=": "<=", ">=": ">=" };

/** Three-way comparison for ordering; throws Python's TypeError for unorderable pairs. */
export function compare(a: Py, b: Py, op: string): number {
  if (a instanceof Undefined) throw undefinedError(a);
  if (b instanceof Undefined) throw undefinedError(b);
  if (isNumber(a) && isNumber(b)) return Math.sign(num(a) - num(b));
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const as = sequenceItems(a);
  const bs = sequenceItems(b);
  if (as && bs && Array.isArray(a) === Array.isArray(b)) {
    for (let i = 0; i < Math.min(as.length, bs.length); i++) {
      if (!eq(as[i], bs[i])) return compare(as[i], bs[i], op);
    }
    return Math.sign(as.length - bs.length);
  }
  throw typeError(`'${SYMBOLS[op] ?? op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function compareOp(op: string, a: Py, b: Py): boolean {
  switch (op) {
    case "==":
      return eq(a, b);
    case "!=":
      return !eq(a, b);
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
  }
  const c = compare(a, b, op);
  return op === "<" ? c < 0 : op === ">" ? c > 0 : op === "<=" ? c <= 0 : c >= 0;
}

export function contains(container: Py, item: Py): boolean {
  if (container instanceof Undefined) throw undefinedError(container);
  if (typeof container === "string") {
    if (typeof item !== "string") throw typeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (container instanceof PyDict) return container.map.has(dictKey(item));
  const items = sequenceItems(container);
  if (items) return items.some((v) => eq(v, item));
  throw typeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** The items `for` walks: characters of a string, keys of a dict, nothing for Undefined. */
export function iterate(value: Py): Py[] {
  if (value instanceof Undefined) return [];
  if (typeof value === "string") return Array.from(value);
  if (value instanceof PyDict) return [...value.map.keys()];
  const items = sequenceItems(value);
  if (items) return items;
  throw typeError(`'${typeName(value)}' object is not iterable`);
}

export function length(value: Py): number {
  if (value instanceof Undefined) return 0;
  if (typeof value === "string") return Array.from(value).length;
  if (value instanceof PyDict) return value.map.size;
  const items = sequenceItems(value);
  if (items) return items.length;
  throw typeError(`object of type '${typeName(value)}' has no len()`);
}

function numeric(a: Py, b: Py, op: string): [number, number, boolean] {
  if (a instanceof Undefined) throw undefinedError(a);
  if (b instanceof Undefined) throw undefinedError(b);
  if (!isNumber(a) || !isNumber(b)) throw typeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
  return [num(a), num(b), isIntLike(a) && isIntLike(b)];
}

const result = (value: number, integral: boolean): Py => (integral ? value : new PyFloat(value));

function repeat(seq: Py, times: Py): Py | undefined {
  if (!isIntLike(times)) return undefined;
  const n = Math.max(0, Number(times));
  if (typeof seq === "string") {
    if (seq.length * n > MAX_BUILT_LENGTH) throw new JinjaError("MemoryError", "");
    return seq.repeat(n);
  }
  const items = sequenceItems(seq);
  if (!items) return undefined;
  if (items.length * n > MAX_BUILT_LENGTH) throw new JinjaError("MemoryError", "");
  const out: Py[] = [];
  for (let i = 0; i < n; i++) out.push(...items);
  return Array.isArray(seq) ? out : new PyTuple(out);
}

export function binary(op: string, a: Py, b: Py): Py {
  switch (op) {
    case "~":
      return str(a) + str(b);
    case "+": {
      if (typeof a === "string" && typeof b === "string") return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
      if (typeof a === "string" && !(b instanceof Undefined)) throw typeError(`can only concatenate str (not "${typeName(b)}") to str`);
      if (Array.isArray(a) && !(b instanceof Undefined)) throw typeError(`can only concatenate list (not "${typeName(b)}") to list`);
      const [x, y, int] = numeric(a, b, "+");
      return result(x + y, int);
    }
    case "-": {
      const [x, y, int] = numeric(a, b, "-");
      return result(x - y, int);
    }
    case "*": {
      const repeated = repeat(a, b) ?? repeat(b, a);
      if (repeated !== undefined && !(isNumber(a) && isNumber(b))) return repeated;
      if ((typeof a === "string" || typeof b === "string") && !(a instanceof Undefined) && !(b instanceof Undefined)) {
        throw typeError(`can't multiply sequence by non-int of type '${typeName(typeof a === "string" ? b : a)}'`);
      }
      const [x, y, int] = numeric(a, b, "*");
      return result(x * y, int);
    }
    case "/": {
      const [x, y] = numeric(a, b, "/");
      if (y === 0) throw new JinjaError("ZeroDivisionError", "division by zero");
      return new PyFloat(x / y);
    }
    case "//": {
      const [x, y, int] = numeric(a, b, "//");
      if (y === 0) throw new JinjaError("ZeroDivisionError", int ? "integer division or modulo by zero" : "float floor division by zero");
      return result(Math.floor(x / y), int);
    }
    case "%":
      if (typeof a === "string") return pyModulo(a, b);
      {
        const [x, y, int] = numeric(a, b, "%");
        if (y === 0) throw new JinjaError("ZeroDivisionError", int ? "integer modulo by zero" : "float modulo");
        const r = x % y;
        return result(r !== 0 && r < 0 !== y < 0 ? r + y : r, int);
      }
    case "**": {
      const [x, y, int] = numeric(a, b, "**");
      if (x === 0 && y < 0) throw new JinjaError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
      return result(x ** y, int && y >= 0);
    }
  }
  throw new JinjaError("TemplateSyntaxError", `unknown operator ${op}`);
}

export function unary(op: string, value: Py): Py {
  if (op === "not") return !truthyOf(value);
  if (value instanceof Undefined) throw undefinedError(value);
  if (!isNumber(value)) throw typeError(`bad operand type for unary ${op}: '${typeName(value)}'`);
  const n = num(value);
  const v = op === "-" ? -n : n;
  return isIntLike(value) ? v : new PyFloat(v);
}

