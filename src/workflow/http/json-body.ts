// JSON as Python reads and writes it (json.loads / json.dumps with ensure_ascii=False), for the HTTP
// node's JSON body and the document extractor's JSON files. Our own parser so numbers keep Python's
// meaning — an integer keeps every digit (IDs beyond 2^53), a float prints as Python's repr (`1.0`,
// `1e+16`) — and object keys keep their order (a JS object would hoist "1" first).
//
// The HTTP body (spec §3.9): the rendered text, repaired when it is not valid JSON (Dify runs
// json_repair; here `jsonrepair`, which fixes the same common breakage: trailing commas, single
// quotes, unquoted keys, comments, Python literals, missing brackets), parsed, and sent as httpx
// 0.28 serialises it: compact separators, non-ASCII as is, NaN/Infinity refused.
import { jsonrepair } from "jsonrepair";

export class JsonBodyError extends Error {}

/** A parsed JSON value: numbers and literals as the text Python would print for them. */
export type JsonNode = { raw: string; special?: boolean } | { items: JsonNode[] } | { entries: Map<string, JsonNode> } | { string: string };

/** Python's repr() of a finite float. */
export function pyFloat(n: number): string {
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const [mantissa, expText] = Math.abs(n).toExponential().split("e");
  const exp = Number(expText);
  const digits = mantissa.replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, "0")}.${digits.slice(exp + 1) || "0"}`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Parser {
  private i = 0;
  constructor(private readonly text: string) {}

  run(): JsonNode {
    const out = this.value();
    this.space();
    if (this.i < this.text.length) this.fail("Extra data");
    return out;
  }

  private fail(why: string): never {
    throw new JsonBodyError(`${why} at position ${this.i}`);
  }

  private space(): void {
    while (this.i < this.text.length && " \t\n\r".includes(this.text[this.i])) this.i++;
  }

  private value(): JsonNode {
    this.space();
    const ch = this.text[this.i];
    if (ch === "{") return this.object();
    if (ch === "[") return this.array();
    if (ch === '"') return { string: this.string() };
    for (const word of ["true", "false", "null"]) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return { raw: word };
      }
    }
    // json.loads accepts these three; json.dumps prints them back unless allow_nan=False.
    for (const word of ["NaN", "Infinity", "-Infinity"]) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return { raw: word, special: true };
      }
    }
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail("Expecting value");
    this.i += match[0].length;
    if (match[1] === undefined && match[2] === undefined) return { raw: match[0] === "-0" ? "0" : match[0] };
    const n = Number(match[0]);
    return Number.isFinite(n) ? { raw: pyFloat(n) } : { raw: n > 0 ? "Infinity" : "-Infinity", special: true };
  }

  private object(): JsonNode {
    this.i++;
    const entries = new Map<string, JsonNode>();
    this.space();
    if (this.text[this.i] === "}") {
      this.i++;
      return { entries };
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail("Expecting property name enclosed in double quotes");
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ":") this.fail("Expecting ':' delimiter");
      this.i++;
      // A repeated key keeps its first position and its last value, as a Python dict does.
      entries.set(key, this.value());
      this.space();
      const next = this.text[this.i++];
      if (next === "}") return { entries };
      if (next !== ",") this.fail("Expecting ',' delimiter");
    }
  }

  private array(): JsonNode {
    this.i++;
    const items: JsonNode[] = [];
    this.space();
    if (this.text[this.i] === "]") {
      this.i++;
      return { items };
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const next = this.text[this.i++];
      if (next === "]") return { items };
      if (next !== ",") this.fail("Expecting ',' delimiter");
    }
  }

  /** Control characters are allowed inside strings (json.loads(strict=False), as Dify's HTTP node). */
  private string(): string {
    this.i++;
    let out = "";
    for (;;) {
      if (this.i >= this.text.length) this.fail("Unterminated string");
      const ch = this.text[this.i++];
      if (ch === '"') return out;
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const esc = this.text[this.i++];
      if (esc === "u") {
        const hex = this.text.slice(this.i, this.i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("Invalid \\uXXXX escape");
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 4;
      } else if (esc !== undefined && esc in ESCAPES) out += ESCAPES[esc];
      else this.fail("Invalid \\escape");
    }
  }
}

export const parseJson = (text: string): JsonNode => new Parser(text).run();

/** json.dumps(value, ensure_ascii=False): compact (httpx) or indented (indent=2, ", " and ": "). */
export function dumpJson(node: JsonNode, options: { indent?: number; allowNan: boolean }, depth = 0): string {
  const pad = options.indent === undefined ? "" : `\n${" ".repeat(options.indent * (depth + 1))}`;
  const close = options.indent === undefined ? "" : `\n${" ".repeat(options.indent * depth)}`;
  const colon = options.indent === undefined ? ":" : ": ";
  if ("string" in node) return JSON.stringify(node.string);
  if ("raw" in node) {
    if (node.special && !options.allowNan) throw new JsonBodyError("Out of range float values are not JSON compliant");
    return node.raw;
  }
  if ("items" in node) {
    if (node.items.length === 0) return "[]";
    return `[${node.items.map((item) => pad + dumpJson(item, options, depth + 1)).join(",")}${close}]`;
  }
  if (node.entries.size === 0) return "{}";
  return `{${[...node.entries].map(([k, v]) => `${pad}${JSON.stringify(k)}${colon}${dumpJson(v, options, depth + 1)}`).join(",")}${close}}`;
}

/** The compact JSON text Dify would send for `rendered`, or JsonBodyError when even repair fails. */
export function jsonBody(rendered: string): string {
  let node: JsonNode;
  try {
    node = parseJson(rendered);
  } catch {
    let repaired: string;
    try {
      repaired = jsonrepair(rendered);
      node = parseJson(repaired);
    } catch {
      throw new JsonBodyError(`Failed to parse JSON: ${rendered}`);
    }
  }
  return dumpJson(node, { allowNan: false });
}
