// Jinja2's built-in tests (`x is defined`, `n is divisibleby 3`, `select('odd')`), with the
// semantics of jinja2/tests.py: bool counts as a number but not as an integer, Undefined is iterable.
import { FILTERS } from "./filters";
import { compareOp, contains, eq } from "./ops";
import { type Py, PyCallable, PyDict, PyFloat, PyTuple, Undefined, isNumber, num, str, typeError, typeName, undefinedError } from "./values";

type Test = (value: Py, args: Py[]) => boolean;

const integral = (v: Py): number => {
  if (v instanceof Undefined) throw undefinedError(v);
  if (!isNumber(v)) throw typeError(`unsupported operand type(s) for %: '${typeName(v)}' and 'int'`);
  return num(v);
};

const compare = (op: string): Test => (v, a) => compareOp(op, v, a[0] ?? null);

export const TESTS: Record<string, Test> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => v === null,
  boolean: (v) => typeof v === "boolean",
  true: (v) => v === true,
  false: (v) => v === false,
  integer: (v) => typeof v === "number",
  float: (v) => v instanceof PyFloat,
  number: (v) => isNumber(v),
  string: (v) => typeof v === "string",
  mapping: (v) => v instanceof PyDict,
  iterable: (v) => typeof v === "string" || Array.isArray(v) || v instanceof PyTuple || v instanceof PyDict || v instanceof Undefined,
  sequence: (v) => typeof v === "string" || Array.isArray(v) || v instanceof PyTuple || v instanceof PyDict || v instanceof Undefined,
  callable: (v) => v instanceof PyCallable,
  even: (v) => integral(v) % 2 === 0,
  odd: (v) => Math.abs(integral(v) % 2) === 1,
  divisibleby: (v, a) => integral(v) % integral(a[0] ?? null) === 0,
  lower: (v) => /\p{Ll}/u.test(str(v)) && str(v) === str(v).toLowerCase(),
  upper: (v) => /\p{Lu}/u.test(str(v)) && str(v) === str(v).toUpperCase(),
  sameas: (v, a) => v === a[0] || (v instanceof Undefined && a[0] instanceof Undefined),
  escaped: () => false,
  filter: (v) => typeof v === "string" && Object.hasOwn(FILTERS, v),
  test: (v) => typeof v === "string" && Object.hasOwn(TESTS, v),
  in: (v, a) => contains(a[0] ?? null, v),
  eq: (v, a) => eq(v, a[0] ?? null),
  ne: (v, a) => !eq(v, a[0] ?? null),
  lt: compare("<"),
  le: compare("<="),
  gt: compare(">"),
  ge: compare(">="),
};
for (const [alias, name] of Object.entries({ equalto: "eq", "==": "eq", "!=": "ne", lessthan: "lt", "<": "lt", "<=": "le", greaterthan: "gt", ">": "gt", ">=": "ge" })) {
  TESTS[alias] = TESTS[name];
}
