// Evaluates a template parsed by @huggingface/jinja with Jinja2's semantics instead of that library's
// own: Python values and printing (values.ts), Jinja2 scoping (a for-loop iteration and a macro call
// get their own frame; `if` does not), chained comparisons, `and`/`or` returning operands, macros with
// varargs/kwargs/caller, namespace(), loop.* and a step budget so no template can spin forever.
import { getAttr, getItem, getSlice } from "./access";
import { FILTERS, type FilterContext } from "./filters";
import { binary, compareOp, iterate, unary } from "./ops";
import { TESTS } from "./tests";
import {
  type Kwargs,
  type Py,
  PyCallable,
  PyDict,
  PyFloat,
  PyObject,
  PyTuple,
  JinjaError,
  Undefined,
  dictKey,
  isIntLike,
  repr,
  sequenceItems,
  str,
  tagged,
  truthy,
  typeError,
  typeName,
  undefinedError,
} from "./values";

/** A node of @huggingface/jinja's AST, read structurally by its `type`. */
export interface Node {
  type: string;
  [field: string]: any;
}

export const TEST_FILTER = "__jinja_test__";
export const TUPLE_CALL = "__jinja_tuple__";

export interface Limits {
  maxSteps: number;
  maxOutput: number;
  maxDepth: number;
}

class Frame {
  readonly vars = new Map<string, Py>();
  constructor(readonly parent: Frame | null) {}
  lookup(name: string): Py | undefined {
    for (let f: Frame | null = this; f; f = f.parent) if (f.vars.has(name)) return f.vars.get(name);
    return undefined;
  }
}

const COMPARISONS = new Set(["==", "!=", "<", ">", "<=", ">=", "in", "not in"]);
const CONSTANTS: Record<string, Py> = { true: true, True: true, false: false, False: false, none: null, None: null };

function kwargsOf(kwargs: Kwargs): PyDict {
  return new PyDict(kwargs);
}

function unpack(target: Node, value: Py, assign: (name: string, v: Py) => void): void {
  if (target.type === "Identifier") return assign(target.value, value);
  const names: Node[] = target.value;
  const items = iterate(value);
  if (items.length < names.length) throw new JinjaError("ValueError", `not enough values to unpack (expected ${names.length}, got ${items.length})`);
  if (items.length > names.length) throw new JinjaError("ValueError", `too many values to unpack (expected ${names.length})`);
  names.forEach((n, i) => unpack(n, items[i], assign));
}

export class Interpreter implements FilterContext {
  private steps = 0;
  private depth = 0;
  private written = 0;

  constructor(private readonly limits: Limits) {}

  render(program: Node, variables: Map<string, Py>): string {
    const root = new Frame(null);
    for (const [name, fn] of Object.entries(globals())) root.vars.set(name, fn);
    const frame = new Frame(root);
    for (const [k, v] of variables) frame.vars.set(k, v);
    const out: string[] = [];
    this.block(program.body, frame, out);
    return out.join("");
  }

  private tick(): void {
    if (++this.steps > this.limits.maxSteps) throw new JinjaError("RuntimeError", `template rendering stopped after ${this.limits.maxSteps} steps`);
  }

  private write(out: string[], text: string): void {
    this.written += text.length;
    if (this.written > this.limits.maxOutput) throw new JinjaError("RuntimeError", `rendered output exceeds ${this.limits.maxOutput} characters`);
    out.push(text);
  }

  private capture(body: Node[], frame: Frame): string {
    const out: string[] = [];
    this.block(body, frame, out);
    return out.join("");
  }

  private block(body: Node[], frame: Frame, out: string[]): void {
    for (const node of body) this.statement(node, frame, out);
  }

  private statement(node: Node, frame: Frame, out: string[]): void {
    this.tick();
    switch (node.type) {
      case "StringLiteral":
        return this.write(out, node.value);
      case "Comment":
        return;
      case "If":
        return this.block(truthy(this.eval(node.test, frame)) ? node.body : node.alternate, frame, out);
      case "For":
        return this.forLoop(node, frame, out);
      case "Set":
        return this.set(node, frame);
      case "Macro":
        frame.vars.set(node.name.value, this.macro(node.name.value, node.args, node.body, frame));
        return;
      case "CallStatement": {
        const caller = this.macro("caller", node.callerArgs ?? [], node.body, frame);
        const callee = this.eval(node.call.callee, frame);
        const [args, kwargs] = this.args(node.call.args, frame);
        kwargs.set("caller", caller);
        return this.write(out, str(this.call(callee, args, kwargs)));
      }
      case "FilterStatement": {
        const body = this.capture(node.body, new Frame(frame));
        return this.write(out, str(this.applyFilterNode(node.filter, body, frame)));
      }
      case "Break":
      case "Continue":
        throw new JinjaError("TemplateSyntaxError", `Encountered unknown tag '${node.type.toLowerCase()}'.`);
      default:
        return this.write(out, str(this.eval(node, frame)));
    }
  }

  private forLoop(node: Node, frame: Frame, out: string[]): void {
    let source: Node = node.iterable;
    let condition: Node | null = null;
    if (source.type === "SelectExpression") {
      condition = source.test;
      source = source.lhs;
    }
    let items = iterate(this.eval(source, frame));
    if (condition) {
      items = items.filter((item) => {
        const f = new Frame(frame);
        unpack(node.loopvar, item, (k, v) => f.vars.set(k, v));
        return truthy(this.eval(condition!, f));
      });
    }
    if (!items.length) return this.block(node.defaultBlock, frame, out);
    // One loop object per loop, updated per iteration (as cheap as the loop body allows).
    let i = 0;
    let lastChanged: Py[] | undefined;
    const attrs = new Map<string, Py>([
      ["length", items.length], ["depth", 1], ["depth0", 0],
      ["cycle", new PyCallable("cycle", (args) => {
        if (!args.length) throw typeError("no items for cycling given");
        return args[i % args.length];
      })],
      ["changed", new PyCallable("changed", (args) => {
        const changed = !lastChanged || lastChanged.length !== args.length || args.some((a, j) => repr(a) !== repr(lastChanged![j]));
        lastChanged = args;
        return changed;
      })],
    ]);
    const loop = new PyObject("LoopContext", attrs, () => `<LoopContext ${i + 1}/${items.length}>`);
    for (; i < items.length; i++) {
      this.tick();
      attrs.set("index", i + 1).set("index0", i).set("revindex", items.length - i).set("revindex0", items.length - i - 1);
      attrs.set("first", i === 0).set("last", i === items.length - 1);
      attrs.set("previtem", i > 0 ? items[i - 1] : new Undefined("there is no previous item"));
      attrs.set("nextitem", i < items.length - 1 ? items[i + 1] : new Undefined("there is no next item"));
      const f = new Frame(frame);
      f.vars.set("loop", loop);
      unpack(node.loopvar, items[i], (k, v) => f.vars.set(k, v));
      this.block(node.body, f, out);
    }
  }

  private set(node: Node, frame: Frame): void {
    const value = node.value ? this.eval(node.value, frame) : this.capture(node.body, new Frame(frame));
    const target: Node = node.assignee;
    if (target.type === "MemberExpression" && !target.computed) {
      const obj = this.eval(target.object, frame);
      if (!(obj instanceof PyObject) || obj.typeName !== "Namespace") throw new JinjaError("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
      obj.attrs.set(target.property.value, value);
      return;
    }
    if (target.type !== "Identifier" && target.type !== "TupleLiteral") throw new JinjaError("TemplateSyntaxError", "can't assign to this expression");
    unpack(target, value, (k, v) => frame.vars.set(k, v));
  }

  private macro(name: string, params: Node[], body: Node[], defining: Frame): PyCallable {
    return new PyCallable(name, (args, kwargs) => {
      if (++this.depth > this.limits.maxDepth) throw new JinjaError("RecursionError", "maximum recursion depth exceeded");
      try {
        const f = new Frame(defining);
        const rest = new Map(kwargs);
        params.forEach((p, i) => {
          const pname: string = p.type === "Identifier" ? p.value : p.key.value;
          if (i < args.length) f.vars.set(pname, args[i]);
          else if (rest.has(pname)) f.vars.set(pname, rest.get(pname)!);
          else f.vars.set(pname, p.type === "KeywordArgumentExpression" ? this.eval(p.value, f) : new Undefined(`parameter '${pname}' was not provided`));
          rest.delete(pname);
        });
        if (rest.has("caller")) {
          f.vars.set("caller", rest.get("caller")!);
          rest.delete("caller");
        }
        f.vars.set("varargs", new PyTuple(args.slice(params.length)));
        f.vars.set("kwargs", kwargsOf(rest));
        return this.capture(body, f);
      } finally {
        this.depth--;
      }
    }, "macro");
  }

  private args(nodes: Node[], frame: Frame): [Py[], Kwargs] {
    const args: Py[] = [];
    const kwargs: Kwargs = new Map();
    for (const a of nodes) {
      if (a.type === "KeywordArgumentExpression") kwargs.set(a.key.value, this.eval(a.value, frame));
      else if (a.type === "SpreadExpression") args.push(...iterate(this.eval(a.argument, frame)));
      else if (a.type === "KeywordSpreadExpression") {
        const d = this.eval(a.argument, frame);
        if (!(d instanceof PyDict)) throw typeError(`argument after ** must be a mapping, not ${typeName(d)}`);
        for (const [k, v] of d.map) kwargs.set(String(k), v);
      } else args.push(this.eval(a, frame));
    }
    return [args, kwargs];
  }

  private call(callee: Py, args: Py[], kwargs: Kwargs): Py {
    if (callee instanceof Undefined) throw undefinedError(callee);
    if (!(callee instanceof PyCallable)) throw typeError(`'${typeName(callee)}' object is not callable`);
    return callee.call(args, kwargs);
  }

  filter(name: string, value: Py, args: Py[], kwargs: Kwargs): Py {
    const f = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
    if (!f) throw new JinjaError("TemplateRuntimeError", `No filter named '${name}' found.`);
    return f(this, value, args, kwargs);
  }

  test(name: string, value: Py, args: Py[]): boolean {
    const t = Object.hasOwn(TESTS, name) ? TESTS[name] : undefined;
    if (!t) throw new JinjaError("TemplateRuntimeError", `No test named '${name}' found.`);
    return t(value, args);
  }

  private applyFilterNode(filter: Node, value: Py, frame: Frame): Py {
    if (filter.type === "Identifier") return this.filter(filter.value, value, [], new Map());
    const name: string = filter.callee.value;
    if (name === TEST_FILTER) {
      const [testName, negate, ...rest] = filter.args as Node[];
      const [args] = this.args(rest, frame);
      return this.test(testName.value, value, args) !== (negate.value === "true");
    }
    const [args, kwargs] = this.args(filter.args, frame);
    return this.filter(name, value, args, kwargs);
  }

  eval(node: Node, frame: Frame): Py {
    this.tick();
    switch (node.type) {
      case "StringLiteral":
        return node.value;
      case "IntegerLiteral":
        return node.value;
      case "FloatLiteral":
        return new PyFloat(node.value);
      case "Identifier": {
        if (Object.hasOwn(CONSTANTS, node.value)) return CONSTANTS[node.value];
        const v = frame.lookup(node.value);
        return v === undefined ? new Undefined(`'${node.value}' is undefined`) : v;
      }
      case "ArrayLiteral":
        return node.value.map((n: Node) => this.eval(n, frame));
      case "TupleLiteral":
        return new PyTuple(node.value.map((n: Node) => this.eval(n, frame)));
      case "ObjectLiteral": {
        const d = new PyDict();
        for (const [k, v] of node.value as Map<Node, Node>) d.map.set(dictKey(this.eval(k, frame)), this.eval(v, frame));
        return d;
      }
      case "MemberExpression": {
        const obj = this.eval(node.object, frame);
        const prop: Node = node.property;
        if (!node.computed) return prop.type === "Identifier" ? getAttr(obj, prop.value) : getItem(obj, prop.value);
        if (prop.type === "SliceExpression") {
          const part = (n: Node | undefined) => (n ? this.eval(n, frame) : null);
          return getSlice(obj, part(prop.start), part(prop.stop), part(prop.step));
        }
        return getItem(obj, this.eval(prop, frame));
      }
      case "CallExpression": {
        const callee = this.eval(node.callee, frame);
        const [args, kwargs] = this.args(node.args, frame);
        return this.call(callee, args, kwargs);
      }
      case "BinaryExpression":
        return this.binaryExpression(node, frame);
      case "UnaryExpression":
        return unary(node.operator.value, this.eval(node.argument, frame));
      case "FilterExpression":
        return this.applyFilterNode(node.filter, this.eval(node.operand, frame), frame);
      case "TestExpression":
        return this.test(node.test.value, this.eval(node.operand, frame), []) !== node.negate;
      case "Ternary":
        return truthy(this.eval(node.condition, frame)) ? this.eval(node.trueExpr, frame) : this.eval(node.falseExpr, frame);
      case "SelectExpression":
        return truthy(this.eval(node.test, frame)) ? this.eval(node.lhs, frame) : new Undefined("the inline if-expression evaluated to false and no else section was defined.");
    }
    throw new JinjaError("TemplateSyntaxError", `unexpected ${node.type}`);
  }

  private binaryExpression(node: Node, frame: Frame): Py {
    const op: string = node.operator.value;
    if (op === "and") {
      const left = this.eval(node.left, frame);
      return truthy(left) ? this.eval(node.right, frame) : left;
    }
    if (op === "or") {
      const left = this.eval(node.left, frame);
      return truthy(left) ? left : this.eval(node.right, frame);
    }
    if (COMPARISONS.has(op)) {
      // Jinja2 chains comparisons as Python does: a < b < c is (a < b) and (b < c).
      const operands: Node[] = [node.right];
      const ops: string[] = [op];
      let left: Node = node.left;
      while (left.type === "BinaryExpression" && COMPARISONS.has(left.operator.value)) {
        operands.unshift(left.right);
        ops.unshift(left.operator.value);
        left = left.left;
      }
      let a = this.eval(left, frame);
      for (let i = 0; i < ops.length; i++) {
        const b = this.eval(operands[i], frame);
        if (!compareOp(ops[i], a, b)) return false;
        a = b;
      }
      return true;
    }
    return binary(op, this.eval(node.left, frame), this.eval(node.right, frame));
  }
}

function range(args: Py[]): Py[] {
  for (const a of args) if (!isIntLike(a)) throw typeError(`'${typeName(a)}' object cannot be interpreted as an integer`);
  const [start, stop, step] = args.length === 1 ? [0, Number(args[0]), 1] : [Number(args[0]), Number(args[1]), args.length > 2 ? Number(args[2]) : 1];
  if (step === 0) throw new JinjaError("ValueError", "range() arg 3 must not be zero");
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > 1_000_000) throw new JinjaError("OverflowError", "range too big");
  const items = Array.from({ length: count }, (_, i) => start + i * step);
  return tagged(items, () => (step === 1 ? `range(${start}, ${stop})` : `range(${start}, ${stop}, ${step})`));
}

function globals(): Record<string, Py> {
  return {
    range: new PyCallable("range", (args) => range(args)),
    [TUPLE_CALL]: new PyCallable("tuple", (args) => new PyTuple(args)),
    dict: new PyCallable("dict", (args, kwargs) => {
      const d = args[0] instanceof PyDict ? new PyDict(args[0].map) : new PyDict((args.length ? iterate(args[0]) : []).map((p) => {
        const pair = sequenceItems(p) ?? iterate(p);
        return [dictKey(pair[0]), pair[1]] as [ReturnType<typeof dictKey>, Py];
      }));
      for (const [k, v] of kwargs) d.map.set(k, v);
      return d;
    }),
    namespace: new PyCallable("namespace", (args, kwargs) => {
      const attrs = new Map<string, Py>();
      if (args[0] instanceof PyDict) for (const [k, v] of args[0].map) attrs.set(String(k), v);
      for (const [k, v] of kwargs) attrs.set(k, v);
      const ns = new PyObject("Namespace", attrs, () => `<Namespace {${[...attrs].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}>`);
      return ns;
    }),
    joiner: new PyCallable("joiner", (args) => {
      const sep = args.length ? str(args[0]) : ", ";
      let used = false;
      return new PyCallable("joiner", () => (used ? sep : ((used = true), "")));
    }),
    cycler: new PyCallable("cycler", (args) => {
      let pos = 0;
      const obj: PyObject = new PyObject("Cycler", new Map());
      const sync = () => obj.attrs.set("current", args[pos] ?? null);
      obj.attrs.set("next", new PyCallable("next", () => {
        const v = args[pos];
        pos = (pos + 1) % args.length;
        sync();
        return v;
      }));
      obj.attrs.set("reset", new PyCallable("reset", () => ((pos = 0), sync(), null)));
      sync();
      return obj;
    }),
  };
}

