// Attribute and item access as Jinja2 does it: `a.b` tries the attribute (a method of str, list or
// dict) before the item, `a['b']` the item before the attribute, and a miss is an Undefined that
// names what was missing. The methods are Python's, for the calls templates make (`s.split(',')`,
// `d.items()`, `list.append(x)`).
import { strFormat } from "./format";
import { eq, iterate, MAX_BUILT_LENGTH } from "./ops";
import {
  type Kwargs,
  type Py,
  PyCallable,
  PyDict,
  PyFloat,
  PyNamedTuple,
  PyObject,
  PyTuple,
  JinjaError,
  Undefined,
  dictKey,
  isIntLike,
  repr,
  sequenceItems,
  tagged,
  truthy,
  typeError,
  typeName,
  undefinedError,
  valueError,
} from "./values";

const objectRepr = (obj: Py) => (obj === null ? "None" : `${typeName(obj)} object`);
export const missingAttribute = (obj: Py, name: string) => new Undefined(`'${objectRepr(obj)}' has no attribute '${name}'`);
const missingItem = (obj: Py, key: Py) => new Undefined(`${objectRepr(obj)} has no element ${repr(key)}`);

function method(name: string, fn: (args: Py[], kwargs: Kwargs) => Py): PyCallable {
  return new PyCallable(name, fn, "method");
}

const arg = (args: Py[], kwargs: Kwargs, i: number, name: string, fallback: Py = null): Py => (i < args.length ? args[i] : kwargs.get(name) ?? fallback);
const text = (v: Py, what = "argument"): string => {
  if (typeof v !== "string") throw typeError(`${what} must be str, not ${typeName(v)}`);
  return v;
};

function stripChars(s: string, chars: Py, side: "both" | "left" | "right"): string {
  const set = chars === null ? null : new Set(Array.from(text(chars)));
  const strip = (ch: string) => (set ? set.has(ch) : /\s/.test(ch));
  const cs = Array.from(s);
  let start = 0;
  let end = cs.length;
  if (side !== "right") while (start < end && strip(cs[start])) start++;
  if (side !== "left") while (end > start && strip(cs[end - 1])) end--;
  return cs.slice(start, end).join("");
}

export function pySplit(s: string, sep: Py, maxsplit: number): string[] {
  if (sep === null) {
    const parts: string[] = [];
    let rest = s.replace(/^\s+/, "");
    while (rest) {
      if (maxsplit >= 0 && parts.length >= maxsplit) {
        parts.push(rest.replace(/\s+$/, ""));
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return parts;
  }
  const separator = text(sep);
  if (!separator) throw valueError("empty separator");
  const all = s.split(separator);
  return maxsplit < 0 || all.length <= maxsplit + 1 ? all : [...all.slice(0, maxsplit), all.slice(maxsplit).join(separator)];
}

const affixes = (v: Py): string[] => (v instanceof PyTuple ? v.items.map((x) => text(x)) : [text(v)]);

export function pyReplace(s: string, old: string, replacement: string, count: number): string {
  if (count < 0) return s.split(old).join(replacement);
  let out = s;
  let from = 0;
  for (let i = 0; i < count; i++) {
    const at = old ? out.indexOf(old, from) : from <= out.length ? from : -1;
    if (at < 0) break;
    out = out.slice(0, at) + replacement + out.slice(at + old.length);
    from = at + replacement.length + (old ? 0 : 1);
  }
  return out;
}

function stringMethod(s: string, name: string): PyCallable | undefined {
  const m = (fn: (args: Py[], kwargs: Kwargs) => Py) => method(name, fn);
  switch (name) {
    case "upper":
      return m(() => s.toUpperCase());
    case "lower":
    case "casefold":
      return m(() => s.toLowerCase());
    case "title":
      return m(() => s.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_x, pre: string, ch: string) => pre + ch.toUpperCase()));
    case "capitalize":
      return m(() => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s));
    case "swapcase":
      return m(() => Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""));
    case "strip":
    case "lstrip":
    case "rstrip":
      return m((a, k) => stripChars(s, arg(a, k, 0, "chars"), name === "strip" ? "both" : name === "lstrip" ? "left" : "right"));
    case "split":
    case "rsplit":
      return m((a, k) => pySplit(s, arg(a, k, 0, "sep"), Number(arg(a, k, 1, "maxsplit", -1))));
    case "splitlines":
      return m((a, k) => {
        const keep = truthy(arg(a, k, 0, "keepends", false));
        const parts = s.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
        return keep ? parts : parts.map((p) => p.replace(/(\r\n|\r|\n)$/, ""));
      });
    case "startswith":
      return m((a) => affixes(a[0]).some((p) => s.startsWith(p)));
    case "endswith":
      return m((a) => affixes(a[0]).some((p) => s.endsWith(p)));
    case "replace":
      return m((a, k) => pyReplace(s, text(a[0]), text(a[1]), Number(arg(a, k, 2, "count", -1))));
    case "find":
    case "index":
    case "rfind":
    case "rindex":
      return m((a) => {
        const at = name.startsWith("r") ? s.lastIndexOf(text(a[0])) : s.indexOf(text(a[0]));
        if (at < 0 && name.endsWith("index")) throw valueError("substring not found");
        return at;
      });
    case "count":
      return m((a) => {
        const sub = text(a[0]);
        return sub ? s.split(sub).length - 1 : Array.from(s).length + 1;
      });
    case "join":
      return m((a) =>
        iterate(a[0])
          .map((item) => {
            if (typeof item !== "string") throw typeError(`sequence item: expected str instance, ${typeName(item)} found`);
            return item;
          })
          .join(s),
      );
    case "format":
      return m((a, k) => strFormat(s, a, k, (v, part, index) => (index ? getItem(v, /^\d+$/.test(part) ? Number(part) : part) : getAttr(v, part))));
    case "zfill":
      return m((a) => {
        const width = Number(a[0]);
        const sign = /^[+-]/.test(s) ? s[0] : "";
        return sign + s.slice(sign.length).padStart(width - sign.length, "0");
      });
    case "center":
    case "ljust":
    case "rjust":
      return m((a) => {
        const width = Number(a[0]);
        const fill = typeof a[1] === "string" ? a[1] : " ";
        const gap = Math.max(0, width - Array.from(s).length);
        if (name === "ljust") return s + fill.repeat(gap);
        if (name === "rjust") return fill.repeat(gap) + s;
        const left = Math.floor(gap / 2) + (gap & width & 1);
        return fill.repeat(left) + s + fill.repeat(gap - left);
      });
    case "isdigit":
    case "isnumeric":
    case "isdecimal":
      return m(() => /^\p{Nd}+$/u.test(s));
    case "isalpha":
      return m(() => /^\p{L}+$/u.test(s));
    case "isalnum":
      return m(() => /^[\p{L}\p{N}]+$/u.test(s));
    case "isspace":
      return m(() => /^\s+$/.test(s));
    case "islower":
      return m(() => /\p{Ll}/u.test(s) && s === s.toLowerCase());
    case "isupper":
      return m(() => /\p{Lu}/u.test(s) && s === s.toUpperCase());
    case "partition":
    case "rpartition":
      return m((a) => {
        const sep = text(a[0]);
        const at = name === "partition" ? s.indexOf(sep) : s.lastIndexOf(sep);
        if (at < 0) return new PyTuple(name === "partition" ? [s, "", ""] : ["", "", s]);
        return new PyTuple([s.slice(0, at), sep, s.slice(at + sep.length)]);
      });
    case "removeprefix":
      return m((a) => (s.startsWith(text(a[0])) ? s.slice(text(a[0]).length) : s));
    case "removesuffix":
      return m((a) => (text(a[0]) && s.endsWith(text(a[0])) ? s.slice(0, -text(a[0]).length) : s));
  }
  return undefined;
}

function listMethod(list: Py[], name: string): PyCallable | undefined {
  const m = (fn: (args: Py[], kwargs: Kwargs) => Py) => method(name, fn);
  const indexOf = (v: Py) => list.findIndex((x) => eq(x, v));
  switch (name) {
    case "append":
      return m((a) => {
        if (list.length >= MAX_BUILT_LENGTH) throw new JinjaError("MemoryError", "");
        list.push(a[0]);
        return null;
      });
    case "extend":
      return m((a) => (list.push(...iterate(a[0])), null));
    case "insert":
      return m((a) => (list.splice(Number(a[0]), 0, a[1]), null));
    case "pop":
      return m((a) => {
        if (!list.length) throw new JinjaError("IndexError", "pop from empty list");
        const i = a.length ? Number(a[0]) : list.length - 1;
        return list.splice(i < 0 ? list.length + i : i, 1)[0] ?? null;
      });
    case "remove":
      return m((a) => {
        const i = indexOf(a[0]);
        if (i < 0) throw valueError("list.remove(x): x not in list");
        list.splice(i, 1);
        return null;
      });
    case "index":
      return m((a) => {
        const i = indexOf(a[0]);
        if (i < 0) throw valueError(`${repr(a[0])} is not in list`);
        return i;
      });
    case "count":
      return m((a) => list.filter((x) => eq(x, a[0])).length);
    case "reverse":
      return m(() => (list.reverse(), null));
    case "copy":
      return m(() => [...list]);
    case "clear":
      return m(() => (list.splice(0), null));
  }
  return undefined;
}

function dictMethod(dict: PyDict, name: string): PyCallable | undefined {
  const m = (fn: (args: Py[], kwargs: Kwargs) => Py) => method(name, fn);
  const view = (type: string, items: Py[]) => tagged(items, (xs) => `${type}([${xs.map(repr).join(", ")}])`);
  switch (name) {
    case "items":
      return m(() => view("dict_items", [...dict.map].map(([k, v]) => new PyTuple([k, v]))));
    case "keys":
      return m(() => view("dict_keys", [...dict.map.keys()]));
    case "values":
      return m(() => view("dict_values", [...dict.map.values()]));
    case "get":
      return m((a) => {
        const key = dictKey(a[0]);
        return dict.map.has(key) ? dict.map.get(key)! : (a[1] ?? null);
      });
    case "pop":
      return m((a) => {
        const key = dictKey(a[0]);
        if (dict.map.has(key)) {
          const v = dict.map.get(key)!;
          dict.map.delete(key);
          return v;
        }
        if (a.length > 1) return a[1];
        throw new JinjaError("KeyError", repr(a[0]));
      });
    case "setdefault":
      return m((a) => {
        const key = dictKey(a[0]);
        if (!dict.map.has(key)) dict.map.set(key, a[1] ?? null);
        return dict.map.get(key)!;
      });
    case "update":
      return m((a, k) => {
        if (a[0] instanceof PyDict) for (const [key, v] of a[0].map) dict.map.set(key, v);
        for (const [key, v] of k) dict.map.set(key, v);
        return null;
      });
    case "copy":
      return m(() => new PyDict(dict.map));
    case "clear":
      return m(() => (dict.map.clear(), null));
  }
  return undefined;
}

/** Python getattr(obj, name), or undefined when there is no such attribute. */
export function attribute(obj: Py, name: string): Py | undefined {
  if (typeof obj === "string") return stringMethod(obj, name);
  if (Array.isArray(obj)) return listMethod(obj, name);
  if (obj instanceof PyDict) return dictMethod(obj, name);
  if (obj instanceof PyNamedTuple) {
    const i = obj.fields.indexOf(name);
    return i >= 0 ? obj.items[i] : undefined;
  }
  if (obj instanceof PyObject) return obj.attrs.get(name);
  if (obj instanceof PyFloat) {
    if (name === "real") return obj;
    if (name === "is_integer") return method(name, () => Number.isInteger(obj.value));
  }
  return undefined;
}

/** `obj.name` (Jinja2's environment.getattr). */
export function getAttr(obj: Py, name: string): Py {
  if (obj instanceof Undefined) throw undefinedError(obj);
  const attr = attribute(obj, name);
  if (attr !== undefined) return attr;
  if (obj instanceof PyDict && obj.map.has(name)) return obj.map.get(name)!;
  return missingAttribute(obj, name);
}

function itemOf(obj: Py, key: Py): Py | undefined {
  if (obj instanceof PyDict) {
    const k = dictKey(key);
    return obj.map.has(k) ? obj.map.get(k)! : undefined;
  }
  const items = typeof obj === "string" ? Array.from(obj) : sequenceItems(obj);
  if (items && isIntLike(key)) {
    const i = Number(key) < 0 ? items.length + Number(key) : Number(key);
    return i >= 0 && i < items.length ? items[i] : undefined;
  }
  if (items && key !== null && !(typeof key === "string")) throw typeError(`${typeName(obj)} indices must be integers or slices, not ${typeName(key)}`);
  return undefined;
}

/** `obj[key]` (Jinja2's environment.getitem). */
export function getItem(obj: Py, key: Py): Py {
  if (obj instanceof Undefined) throw undefinedError(obj);
  const item = itemOf(obj, key);
  if (item !== undefined) return item;
  if (typeof key === "string") {
    const attr = attribute(obj, key);
    if (attr !== undefined) return attr;
    return missingAttribute(obj, key);
  }
  return missingItem(obj, key);
}

/** `obj[start:stop:step]` on a string, list or tuple. */
export function getSlice(obj: Py, start: Py, stop: Py, step: Py): Py {
  if (obj instanceof Undefined) throw undefinedError(obj);
  const items = typeof obj === "string" ? Array.from(obj) : sequenceItems(obj);
  if (!items) throw typeError(`'${typeName(obj)}' object is not subscriptable`);
  const n = items.length;
  const s = step === null ? 1 : Number(step);
  if (s === 0) throw valueError("slice step cannot be zero");
  const norm = (v: Py, fallback: number, lo: number, hi: number) => {
    if (v === null || v instanceof Undefined) return fallback;
    const i = Number(v) < 0 ? n + Number(v) : Number(v);
    return Math.min(hi, Math.max(lo, i));
  };
  const out: Py[] = [];
  if (s > 0) for (let i = norm(start, 0, 0, n); i < norm(stop, n, 0, n); i += s) out.push(items[i]);
  else for (let i = norm(start, n - 1, -1, n - 1); i > norm(stop, -1, -1, n - 1); i += s) out.push(items[i]);
  if (typeof obj === "string") return out.join("");
  return Array.isArray(obj) ? out : new PyTuple(out);
}

