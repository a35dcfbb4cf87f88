// Jinja2's built-in filters, with the semantics of jinja2/filters.py 3.1 (defaults, argument names,
// quirks such as `"42.23"|int` → 42, `3|round` → 3 but `3.7|round` → 4.0, tojson sorting keys).
// The few Jinja2 filters not offered here fail the render by name instead of printing something else.
import { attribute, getItem, missingAttribute, pyReplace } from "./access";
import { formatFixed, pyModulo, pyRound } from "./format";
import { pyJsonDumps } from "./json";
import { compare, eq, iterate, length } from "./ops";
import {
  type Kwargs,
  type Py,
  PyDict,
  PyFloat,
  PyNamedTuple,
  PyTuple,
  JinjaError,
  Undefined,
  isIntLike,
  isNumber,
  num,
  repr,
  str,
  truthy,
  typeError,
  typeName,
  undefinedError,
} from "./values";

export interface FilterContext {
  filter(name: string, value: Py, args: Py[], kwargs: Kwargs): Py;
  test(name: string, value: Py, args: Py[]): boolean;
}

type Filter = (ctx: FilterContext, value: Py, args: Py[], kwargs: Kwargs) => Py;

/** Jinja2 filters this renderer deliberately does not offer. */
export const UNSUPPORTED_FILTERS = new Set(["urlize", "wordwrap", "xmlattr"]);

const param = (args: Py[], kwargs: Kwargs, i: number, name: string, fallback: Py): Py => (i < args.length ? args[i] : kwargs.has(name) ? kwargs.get(name)! : fallback);

function attrGetter(attribute: Py, fallback: Py = null, lower = false): (item: Py) => Py {
  const parts = attribute === null ? [] : typeof attribute === "number" ? [attribute] : str(attribute).split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => {
    let v = item;
    for (const part of parts) v = getItem(v, part);
    if (v instanceof Undefined && fallback !== null) v = fallback;
    return lower && typeof v === "string" ? v.toLowerCase() : v;
  };
}

function sortBy(items: Py[], key: (v: Py) => Py, reverse: boolean): Py[] {
  const keyed = items.map((item) => [key(item), item] as const);
  keyed.sort((a, b) => compare(a[0], b[0], "<"));
  if (reverse) keyed.reverse();
  return keyed.map(([, item]) => item);
}

const keyFor = (args: Py[], kwargs: Kwargs, caseIndex: number, attrIndex: number) => {
  const caseSensitive = truthy(param(args, kwargs, caseIndex, "case_sensitive", false));
  return attrGetter(param(args, kwargs, attrIndex, "attribute", null), null, !caseSensitive);
};

function escapeHtml(value: Py): string {
  return str(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", copy: "©", reg: "®", hellip: "…", mdash: "—", ndash: "–" };

function unescapeHtml(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, name: string) => {
    if (name[0] === "#") return String.fromCodePoint(name[1].toLowerCase() === "x" ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

function removeBetween(s: string, open: string, close: string): string {
  for (;;) {
    const start = s.indexOf(open);
    if (start < 0) return s;
    const end = s.indexOf(close, start);
    if (end < 0) return s;
    s = s.slice(0, start) + s.slice(end + close.length);
  }
}

function quote(value: Py, forQuery: boolean): string {
  const bytes = new TextEncoder().encode(str(value));
  let out = "";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9_.\-~]/.test(ch) || (!forQuery && ch === "/") ? ch : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return forQuery ? out.replace(/%20/g, "+") : out;
}

function toInt(value: Py, fallback: Py, base: number): Py {
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "number") return value;
  if (value instanceof PyFloat) return Number.isFinite(value.value) ? Math.trunc(value.value) : fallback;
  if (typeof value === "string") {
    const s = value.trim().replace(/_/g, "");
    const digits = base === 16 ? s.replace(/^([+-]?)0x/i, "$1") : base === 8 ? s.replace(/^([+-]?)0o/i, "$1") : base === 2 ? s.replace(/^([+-]?)0b/i, "$1") : s;
    const valid = new RegExp(`^[+-]?[${"0123456789abcdefghijklmnopqrstuvwxyz".slice(0, base)}]+$`, "i");
    if (valid.test(digits)) return parseInt(digits, base);
    const f = toFloat(value, null);
    return f instanceof PyFloat && Number.isFinite(f.value) ? Math.trunc(f.value) : fallback;
  }
  return fallback;
}

function toFloat(value: Py, fallback: Py): Py {
  if (isNumber(value)) return new PyFloat(num(value));
  if (typeof value === "string") {
    const s = value.trim().replace(/(?<=\d)_(?=\d)/g, "").toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(s)) return new PyFloat(s.startsWith("-") ? -Infinity : Infinity);
    if (/^[+-]?nan$/.test(s)) return new PyFloat(NaN);
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return new PyFloat(Number(s));
  }
  return fallback;
}

function aggregate(value: Py, args: Py[], kwargs: Kwargs, pick: 1 | -1): Py {
  const items = iterate(value);
  if (!items.length) return new Undefined("No aggregated item, sequence was empty.");
  const key = keyFor(args, kwargs, 0, 1);
  return items.reduce((best, item) => (compare(key(item), key(best), "<") * pick > 0 ? item : best));
}

function selectOrReject(ctx: FilterContext, value: Py, args: Py[], keep: boolean, byAttribute: boolean): Py {
  const [first, ...rest] = args;
  const get = byAttribute ? attrGetter(first ?? null) : (v: Py) => v;
  const [testName, ...testArgs] = byAttribute ? rest : args;
  const pass = (v: Py) => (testName === undefined ? truthy(get(v)) : ctx.test(str(testName), get(v), testArgs));
  return iterate(value).filter((v) => pass(v) === keep);
}

export const FILTERS: Record<string, Filter> = {
  abs: (_c, v) => {
    if (!isNumber(v)) throw typeError(`bad operand type for abs(): '${typeName(v)}'`);
    return isIntLike(v) ? Math.abs(Number(v)) : new PyFloat(Math.abs(num(v)));
  },
  attr: (_c, v, a) => {
    if (v instanceof Undefined) throw undefinedError(v);
    return attribute(v, str(a[0] ?? "")) ?? missingAttribute(v, str(a[0] ?? ""));
  },
  batch: (_c, v, a, k) => {
    const size = Number(param(a, k, 0, "linecount", 1));
    const fill = param(a, k, 1, "fill_with", null);
    const items = iterate(v);
    const out: Py[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    const last = out.at(-1);
    if (fill !== null && last) while (last.length < size) last.push(fill);
    return out;
  },
  capitalize: (_c, v) => {
    const s = str(v);
    return s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
  },
  center: (_c, v, a, k) => {
    const s = str(v);
    const width = Number(param(a, k, 0, "width", 80));
    const gap = Math.max(0, width - Array.from(s).length);
    const left = Math.floor(gap / 2) + (gap & width & 1);
    return " ".repeat(left) + s + " ".repeat(gap - left);
  },
  default: (_c, v, a, k) => {
    const fallback = param(a, k, 0, "default_value", "");
    const boolean = truthy(param(a, k, 1, "boolean", false));
    return v instanceof Undefined || (boolean && !truthy(v)) ? fallback : v;
  },
  dictsort: (_c, v, a, k) => {
    if (!(v instanceof PyDict)) throw new JinjaError("FilterArgumentError", "You can only sort by either 'key' or 'value'");
    const caseSensitive = truthy(param(a, k, 0, "case_sensitive", false));
    const by = str(param(a, k, 1, "by", "key"));
    const reverse = truthy(param(a, k, 2, "reverse", false));
    const pos = by === "key" ? 0 : by === "value" ? 1 : -1;
    if (pos < 0) throw new JinjaError("FilterArgumentError", "You can only sort by either 'key' or 'value'");
    const items = [...v.map].map(([key, val]) => new PyTuple([key, val]));
    return sortBy(items, (t) => {
      const x = (t as PyTuple).items[pos];
      return !caseSensitive && typeof x === "string" ? x.toLowerCase() : x;
    }, reverse);
  },
  escape: (_c, v) => escapeHtml(v),
  filesizeformat: (_c, v, a, k) => {
    const bytes = Number(num(toFloat(v, new PyFloat(0)) as PyFloat));
    const binary = truthy(param(a, k, 0, "binary", false));
    const base = binary ? 1024 : 1000;
    const prefixes = binary ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    if (bytes === 1) return "1 Byte";
    if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
    let unit = base;
    for (let i = 0; i < prefixes.length; i++) {
      unit = base ** (i + 2);
      if (bytes < unit || i === prefixes.length - 1) return `${formatFixed((base * bytes) / unit, 1)} ${prefixes[i]}`;
    }
    return "";
  },
  first: (_c, v) => {
    const items = iterate(v);
    return items.length ? items[0] : new Undefined("No first item, sequence was empty.");
  },
  float: (_c, v, a, k) => toFloat(v, param(a, k, 0, "default", new PyFloat(0))),
  format: (_c, v, a, k) => {
    if (a.length && k.size) throw new JinjaError("FilterArgumentError", "can't handle positional and keyword arguments at the same time");
    return pyModulo(str(v), k.size ? new PyDict(k) : new PyTuple(a));
  },
  groupby: (_c, v, a, k) => {
    const attribute = param(a, k, 0, "attribute", null);
    const fallback = param(a, k, 1, "default", null);
    const caseSensitive = truthy(param(a, k, 2, "case_sensitive", false));
    const key = attrGetter(attribute, fallback, !caseSensitive);
    const original = attrGetter(attribute, fallback);
    const groups: { key: Py; items: Py[] }[] = [];
    for (const item of sortBy(iterate(v), key, false)) {
      const last = groups.at(-1);
      if (last && eq(last.key, key(item))) last.items.push(item);
      else groups.push({ key: key(item), items: [item] });
    }
    return groups.map((g) => new PyNamedTuple("_GroupTuple", ["grouper", "list"], [caseSensitive ? g.key : original(g.items[0]), g.items]));
  },
  indent: (_c, v, a, k) => {
    const width = param(a, k, 0, "width", 4);
    const first = truthy(param(a, k, 1, "first", false));
    const blank = truthy(param(a, k, 2, "blank", false));
    const indention = typeof width === "string" ? width : " ".repeat(Number(width));
    const lines = `${str(v)}\n`.split(/\r\n|\r|\n/).slice(0, -1);
    let rv: string;
    if (blank) rv = lines.join(`\n${indention}`);
    else rv = [lines[0] ?? "", ...lines.slice(1).map((l) => (l ? indention + l : l))].join("\n");
    return first ? indention + rv : rv;
  },
  int: (_c, v, a, k) => toInt(v, param(a, k, 0, "default", 0), Number(param(a, k, 1, "base", 10))),
  items: (_c, v) => {
    if (v instanceof Undefined) return [];
    if (!(v instanceof PyDict)) throw typeError("Can only get item pairs from a mapping.");
    return [...v.map].map(([key, val]) => new PyTuple([key, val]));
  },
  join: (_c, v, a, k) => {
    const sep = str(param(a, k, 0, "d", ""));
    const get = attrGetter(param(a, k, 1, "attribute", null));
    return iterate(v).map((x) => str(get(x))).join(sep);
  },
  last: (_c, v) => {
    const items = iterate(v);
    return items.length ? items[items.length - 1] : new Undefined("No last item, sequence was empty.");
  },
  length: (_c, v) => length(v),
  list: (_c, v) => [...iterate(v)],
  lower: (_c, v) => str(v).toLowerCase(),
  map: (ctx, v, a, k) => {
    if (k.has("attribute")) {
      const get = attrGetter(k.get("attribute")!, k.get("default") ?? null);
      return iterate(v).map(get);
    }
    const [name, ...rest] = a;
    if (name === undefined) return iterate(v);
    const kw = new Map(k);
    return iterate(v).map((x) => ctx.filter(str(name), x, rest, kw));
  },
  max: (_c, v, a, k) => aggregate(v, a, k, 1),
  min: (_c, v, a, k) => aggregate(v, a, k, -1),
  pprint: (_c, v) => repr(v),
  random: (_c, v) => {
    const items = iterate(v);
    if (!items.length) throw new JinjaError("IndexError", "Cannot choose from an empty sequence");
    return items[Math.floor(Math.random() * items.length)];
  },
  reject: (ctx, v, a) => selectOrReject(ctx, v, a, false, false),
  rejectattr: (ctx, v, a) => selectOrReject(ctx, v, a, false, true),
  replace: (_c, v, a, k) => pyReplace(str(v), str(param(a, k, 0, "old", "")), str(param(a, k, 1, "new", "")), Number(param(a, k, 2, "count", -1) ?? -1)),
  reverse: (_c, v) => (typeof v === "string" ? Array.from(v).reverse().join("") : [...iterate(v)].reverse()),
  round: (_c, v, a, k) => {
    const precision = Number(param(a, k, 0, "precision", 0));
    const method = str(param(a, k, 1, "method", "common"));
    if (!["common", "ceil", "floor"].includes(method)) throw new JinjaError("FilterArgumentError", "method must be common, ceil or floor");
    if (v instanceof Undefined) throw typeError("type Undefined doesn't define __round__ method");
    if (!isNumber(v)) throw typeError(`type ${typeName(v)} doesn't define __round__ method`);
    if (method === "common") {
      if (isIntLike(v)) return precision >= 0 ? Number(v) : pyRound(Number(v), precision);
      return new PyFloat(pyRound(num(v), precision));
    }
    const f = 10 ** precision;
    return new PyFloat((method === "ceil" ? Math.ceil : Math.floor)(num(v) * f) / f);
  },
  safe: (_c, v) => v,
  select: (ctx, v, a) => selectOrReject(ctx, v, a, true, false),
  selectattr: (ctx, v, a) => selectOrReject(ctx, v, a, true, true),
  slice: (_c, v, a, k) => {
    const slices = Number(param(a, k, 0, "slices", 1));
    const fill = param(a, k, 1, "fill_with", null);
    const seq = iterate(v);
    const per = Math.floor(seq.length / slices);
    const extra = seq.length % slices;
    const out: Py[][] = [];
    let offset = 0;
    for (let n = 0; n < slices; n++) {
      const start = offset + n * per;
      if (n < extra) offset++;
      const part = seq.slice(start, offset + (n + 1) * per);
      if (fill !== null && n >= extra) part.push(fill);
      out.push(part);
    }
    return out;
  },
  sort: (_c, v, a, k) => {
    const reverse = truthy(param(a, k, 0, "reverse", false));
    return sortBy(iterate(v), keyFor(a, k, 1, 2), reverse);
  },
  string: (_c, v) => str(v),
  striptags: (_c, v) => unescapeHtml(removeBetween(removeBetween(str(v), "<!--", "-->"), "<", ">").split(/\s+/).filter(Boolean).join(" ")),
  sum: (_c, v, a, k) => {
    const get = attrGetter(param(a, k, 0, "attribute", null));
    let total: Py = param(a, k, 1, "start", 0);
    for (const item of iterate(v)) {
      const x = get(item);
      if (!isNumber(total) || !isNumber(x)) throw typeError(`unsupported operand type(s) for +: '${typeName(total)}' and '${typeName(x)}'`);
      total = isIntLike(total) && isIntLike(x) ? Number(total) + Number(x) : new PyFloat(num(total) + num(x));
    }
    return total;
  },
  title: (_c, v) =>
    str(v)
      .split(/([-\s({[<]+)/)
      .filter(Boolean)
      .map((item) => item[0].toUpperCase() + item.slice(1).toLowerCase())
      .join(""),
  tojson: (_c, v, a, k) => {
    const indent = param(a, k, 0, "indent", null);
    return pyJsonDumps(v, { sortKeys: true, indent: indent === null ? null : typeof indent === "string" ? indent : Number(indent) })
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026")
      .replace(/'/g, "\\u0027");
  },
  trim: (_c, v, a, k) => {
    const chars = param(a, k, 0, "chars", null);
    const s = str(v);
    if (chars === null) return s.replace(/^\s+|\s+$/g, "");
    const set = new Set(Array.from(str(chars)));
    const cs = Array.from(s);
    let i = 0;
    let j = cs.length;
    while (i < j && set.has(cs[i])) i++;
    while (j > i && set.has(cs[j - 1])) j--;
    return cs.slice(i, j).join("");
  },
  truncate: (_c, v, a, k) => {
    const s = str(v);
    const size = Number(param(a, k, 0, "length", 255));
    const killwords = truthy(param(a, k, 1, "killwords", false));
    const end = str(param(a, k, 2, "end", "..."));
    const leeway = Number(param(a, k, 3, "leeway", 5) ?? 5);
    if (size < end.length) throw new JinjaError("AssertionError", `expected length >= ${end.length}, got ${size}`);
    if (s.length <= size + leeway) return s;
    if (killwords) return s.slice(0, size - end.length) + end;
    const cut = s.slice(0, size - end.length);
    const space = cut.lastIndexOf(" ");
    return (space >= 0 ? cut.slice(0, space) : cut) + end;
  },
  unique: (_c, v, a, k) => {
    const key = keyFor(a, k, 0, 1);
    const seen: Py[] = [];
    const out: Py[] = [];
    for (const item of iterate(v)) {
      const kv = key(item);
      if (!seen.some((s) => eq(s, kv))) {
        seen.push(kv);
        out.push(item);
      }
    }
    return out;
  },
  upper: (_c, v) => str(v).toUpperCase(),
  urlencode: (_c, v) => {
    if (typeof v === "string" || !(v instanceof PyDict || Array.isArray(v) || v instanceof PyTuple)) return quote(v, false);
    const pairs = v instanceof PyDict ? [...v.map].map(([key, val]) => [key, val] as [Py, Py]) : iterate(v).map((p) => iterate(p) as [Py, Py]);
    return pairs.map(([key, val]) => `${quote(key, true)}=${quote(val, true)}`).join("&");
  },
  wordcount: (_c, v) => (str(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length,
};
for (const [alias, name] of Object.entries({ d: "default", e: "escape", forceescape: "escape", count: "length" })) FILTERS[alias] = FILTERS[name];

