// Python's json.dumps over template values (the tojson filter): ensure_ascii, ", "/": " separators
// (",", ": " with an indent), sort_keys as Jinja2's policy sets it, floats as Python prints them.
import { type Py, PyDict, PyFloat, PyTuple, floatRepr, intStr, typeError, typeName } from "./values";

function jsonString(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function keyText(key: unknown): string {
  if (typeof key === "string") return key;
  if (typeof key === "number") return Number.isInteger(key) ? intStr(key) : floatRepr(key);
  if (typeof key === "boolean") return key ? "true" : "false";
  if (key === null) return "null";
  throw typeError(`keys must be str, int, float, bool or None, not ${typeof key}`);
}

export function pyJsonDumps(value: Py, options: { indent?: number | string | null; sortKeys?: boolean; ensureAscii?: boolean } = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const indent = options.indent === null || options.indent === undefined ? null : typeof options.indent === "number" ? " ".repeat(options.indent) : options.indent;
  const itemSep = indent === null ? ", " : ",";
  const write = (v: Py, depth: number): string => {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") return intStr(v);
    if (typeof v === "string") return jsonString(v, ensureAscii);
    if (v instanceof PyFloat) return Number.isNaN(v.value) ? "NaN" : !Number.isFinite(v.value) ? (v.value > 0 ? "Infinity" : "-Infinity") : floatRepr(v.value);
    const open = (items: string[], l: string, r: string) => {
      if (!items.length) return l + r;
      if (indent === null) return l + items.join(itemSep) + r;
      const inner = `\n${indent.repeat(depth + 1)}`;
      return `${l}${inner}${items.join(itemSep + inner)}\n${indent.repeat(depth)}${r}`;
    };
    if (Array.isArray(v)) return open(v.map((x) => write(x, depth + 1)), "[", "]");
    if (v instanceof PyTuple) return open(v.items.map((x) => write(x, depth + 1)), "[", "]");
    if (v instanceof PyDict) {
      let entries = [...v.map].map(([k, x]) => [keyText(k), x] as const);
      if (options.sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return open(entries.map(([k, x]) => `${jsonString(k, ensureAscii)}: ${write(x, depth + 1)}`), "{", "}");
    }
    throw typeError(`Object of type ${typeName(v)} is not JSON serializable`);
  };
  return write(value, 0);
}
