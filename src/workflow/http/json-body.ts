// The JSON body of an HTTP node (spec §3.9): the rendered text, repaired when it is not valid JSON
// (Dify runs json_repair; here `jsonrepair`, which fixes the same common breakage: trailing commas,
// single quotes, unquoted keys, comments, Python literals, missing brackets), parsed, and sent as
// httpx 0.28 serialises it: compact separators, non-ASCII as is. Parsing is our own so numbers keep
// Python's meaning — an integer keeps every digit (IDs beyond 2^53), a float prints as Python's
// repr (`1.0`, `1e+16`) — and object keys keep their order (a JS object would hoist "1" first).
import { jsonrepair } from "jsonrepair";

export class JsonBodyError extends Error {}

/** Python's repr() of a float. */
export function pyFloat(n: number): string {
  if (!Number.isFinite(n)) throw new JsonBodyError("Out of range float values are not JSON compliant");
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

/** Parses JSON (control characters allowed in strings, as json.loads(strict=False)) straight to its compact form. */
class Compactor {
  private i = 0;
  constructor(private readonly text: string) {}

  run(): string {
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

  private value(): string {
    this.space();
    const ch = this.text[this.i];
    if (ch === "{") return this.object();
    if (ch === "[") return this.array();
    if (ch === '"') return JSON.stringify(this.string());
    for (const [word, out] of [["true", "true"], ["false", "false"], ["null", "null"]] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return out;
      }
    }
    // json.loads accepts these; json.dumps(allow_nan=False) then refuses them.
    if (this.text.startsWith("NaN", this.i) || this.text.startsWith("Infinity", this.i) || this.text.startsWith("-Infinity", this.i)) {
      throw new JsonBodyError("Out of range float values are not JSON compliant");
    }
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail("Expecting value");
    this.i += match[0].length;
    if (match[1] === undefined && match[2] === undefined) return match[0] === "-0" ? "0" : match[0];
    return pyFloat(Number(match[0]));
  }

  private object(): string {
    this.i++;
    const entries = new Map<string, string>();
    this.space();
    if (this.text[this.i] === "}") {
      this.i++;
      return "{}";
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
      if (next === "}") break;
      if (next !== ",") this.fail("Expecting ',' delimiter");
    }
    return `{${[...entries].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
  }

  private array(): string {
    this.i++;
    const items: string[] = [];
    this.space();
    if (this.text[this.i] === "]") {
      this.i++;
      return "[]";
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const next = this.text[this.i++];
      if (next === "]") break;
      if (next !== ",") this.fail("Expecting ',' delimiter");
    }
    return `[${items.join(",")}]`;
  }

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

/** The compact JSON text Dify would send for `rendered`, or JsonBodyError when even repair fails. */
export function jsonBody(rendered: string): string {
  try {
    return new Compactor(rendered).run();
  } catch (err) {
    if (err instanceof JsonBodyError && err.message.startsWith("Out of range")) throw err;
  }
  let repaired: string;
  try {
    repaired = jsonrepair(rendered);
  } catch {
    throw new JsonBodyError(`Failed to parse JSON: ${rendered}`);
  }
  try {
    return new Compactor(repaired).run();
  } catch (err) {
    if (err instanceof JsonBodyError && err.message.startsWith("Out of range")) throw err;
    throw new JsonBodyError(`Failed to parse JSON: ${rendered}`);
  }
}
