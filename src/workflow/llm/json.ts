// Reading JSON out of model replies, the three ways Dify's LLM-backed nodes do it:
// - the classifier: the block between the first JSON/code-fence opener and the last closer
//   (graphon utils/json_in_md_parser), a one-object list unwrapped;
// - the extractor: the first complete JSON object anywhere in the text (brackets inside strings are
//   string content here, which Dify's scanner miscounts; this only turns its failures into results);
// - structured output: strict JSON, else a repaired reading of what the model wrote (json_repair).
import { isObject } from "../../lib/json";
import { pyStr } from "../../llm/template";

export class ReplyParseError extends Error {
  readonly errorType = "OutputParserError";
}

/** The classifier's reading: fenced or bare JSON; a list must hold exactly one object. */
export function parseJsonBlock(reply: string): Record<string, unknown> {
  const s = reply.trim();
  let start = -1;
  for (const marker of ["```json", "```", "``", "`", "{", "["]) {
    start = s.indexOf(marker);
    if (start !== -1) {
      if (s[start] !== "{" && s[start] !== "[") start += marker.length;
      break;
    }
  }
  let end = -1;
  if (start !== -1) {
    for (const marker of ["```", "``", "`", "}", "]"]) {
      end = s.lastIndexOf(marker);
      if (end < start) end = -1;
      if (end !== -1) {
        if (s[end] === "}" || s[end] === "]") end += 1;
        break;
      }
    }
  }
  if (start === -1 || end === -1 || start >= end) throw new ReplyParseError("could not find json block in the output.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(s.slice(start, end).trim());
  } catch (err) {
    throw new ReplyParseError(`got invalid json object. error: ${(err as Error).message}`);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 1 && isObject(parsed[0])) return parsed[0];
    throw new ReplyParseError(`got invalid return object. obj:${pyStr(parsed)}`);
  }
  return isObject(parsed) ? parsed : {};
}

/** Where the JSON value starting at `from` ends (exclusive), or -1 when it never closes. */
function balancedEnd(text: string, from: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") stack.push(c);
    else if (c === "}" || c === "]") {
      if (stack.pop() !== (c === "}" ? "{" : "[")) return -1;
      if (!stack.length) return i + 1;
    }
  }
  return -1;
}

/** The extractor's reading: the first complete JSON object in the text, or null. */
export function firstJsonObject(text: string): Record<string, unknown> | null {
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "{" && text[i] !== "[") continue;
    const end = balancedEnd(text, i);
    if (end === -1) continue;
    try {
      const parsed: unknown = JSON.parse(text.slice(i, end));
      if (isObject(parsed)) return parsed;
    } catch {
      // not JSON from here; try the next opener
    }
  }
  return null;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };

/**
 * A lenient reader for what models write when asked for JSON: single quotes, bare keys, trailing
 * commas, comments, Python literals, and brackets or a string left open at the end.
 */
class Lenient {
  private i = 0;
  constructor(private readonly s: string) {}

  read(): unknown {
    this.skip();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"' || c === "'") return this.string();
    return this.literal();
  }

  private skip(): void {
    for (;;) {
      while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
      if (this.s.startsWith("//", this.i)) this.i = this.endOf("\n");
      else if (this.s.startsWith("/*", this.i)) this.i = this.endOf("*/") + 2;
      else return;
    }
  }

  private endOf(marker: string): number {
    const at = this.s.indexOf(marker, this.i);
    return at === -1 ? this.s.length : at;
  }

  /** Reads the items of an object or list up to `close`, or to the end; stray separators are skipped. */
  private items(close: string, stray: string, item: () => void): void {
    this.i++;
    for (;;) {
      this.skip();
      const c = this.s[this.i];
      if (c === undefined) return;
      if (c === close) {
        this.i++;
        return;
      }
      if (c === "," || c === stray) this.i++;
      else item();
    }
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.items("}", "]", () => {
      const c = this.s[this.i];
      const key = c === '"' || c === "'" ? this.string() : this.token(/[:,}\s]/);
      this.skip();
      if (this.s[this.i] === ":") this.i++;
      this.skip();
      const next = this.s[this.i];
      out[key] = next === undefined || next === "," || next === "}" ? null : this.read();
    });
    return out;
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.items("]", "}", () => out.push(this.read()));
    return out;
  }

  private string(): string {
    const quote = this.s[this.i++];
    let out = "";
    while (this.i < this.s.length && this.s[this.i] !== quote) {
      if (this.s[this.i] !== "\\" || this.i + 1 >= this.s.length) {
        out += this.s[this.i++];
        continue;
      }
      const escape = this.s[this.i + 1];
      this.i += 2;
      const hex = this.s.slice(this.i, this.i + 4);
      if (escape === "u" && /^[0-9a-fA-F]{4}$/.test(hex)) {
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 4;
      } else out += ESCAPES[escape] ?? escape;
    }
    this.i++;
    return out;
  }

  private token(stop: RegExp): string {
    const from = this.i;
    while (this.i < this.s.length && !stop.test(this.s[this.i])) this.i++;
    // A character that can start nothing is skipped, so the reader always moves on.
    if (this.i === from) this.i++;
    return this.s.slice(from, this.i).trim();
  }

  private literal(): unknown {
    const word = this.token(/[,}\]\n]/);
    const literals: Record<string, unknown> = { true: true, True: true, false: false, False: false, null: null, None: null };
    if (word in literals) return literals[word];
    const n = Number(word);
    return word && Number.isFinite(n) ? n : word;
  }
}

/** Structured output: an object, strict or repaired; a list gives its first object. */
export function parseStructuredOutput(reply: string): Record<string, unknown> {
  try {
    const strict: unknown = JSON.parse(reply);
    if (isObject(strict)) return strict;
  } catch {
    // repaired below
  }
  const start = reply.search(/[{[]/);
  const repaired = start === -1 ? reply.trim() : new Lenient(reply.slice(start)).read();
  if (isObject(repaired)) return repaired;
  if (Array.isArray(repaired)) return (repaired.find(isObject) as Record<string, unknown> | undefined) ?? {};
  throw new ReplyParseError(`Failed to parse structured output: ${reply.slice(0, 300)}`);
}
