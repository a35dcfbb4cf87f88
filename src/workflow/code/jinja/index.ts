// Jinja2 templates rendered as Dify's sandbox renders them (Python's `jinja2.Template(source)`: no
// trim_blocks/lstrip_blocks, no autoescape, default Undefined, newlines normalised and one trailing
// newline dropped). @huggingface/jinja tokenizes and parses (no eval, so it runs in a deployed
// Worker); before parsing, `{% raw %}` blocks become string literals and `x is test args` becomes a
// filter call the parser understands; after parsing, unknown filters and tests are refused as Jinja2
// refuses them at compile time; interpreter.ts evaluates with Python semantics.
import { parse, tokenize } from "@huggingface/jinja";
import { FILTERS, UNSUPPORTED_FILTERS } from "./filters";
import { Interpreter, type Limits, type Node, TEST_FILTER, TUPLE_CALL } from "./interpreter";
import { TESTS } from "./tests";
import { fromJson, JinjaError, type Py } from "./values";

type Token = ReturnType<typeof tokenize>[number];

const DEFAULT_LIMITS: Limits = { maxSteps: 5_000_000, maxOutput: 5_000_000, maxDepth: 100 };

const tok = (value: string, type: Token["type"]): Token => ({ value, type }) as Token;

/** `{% raw %}…{% endraw %}` → a string literal expression (with the tags' whitespace control). */
function replaceRawBlocks(source: string): string {
  return source.replace(/\{%(-?)\s*raw\s*(-?)%\}([\s\S]*?)\{%(-?)\s*endraw\s*(-?)%\}/g, (_m, before: string, startTrim: string, body: string, endTrim: string, after: string) => {
    let text = startTrim ? body.replace(/^\s+/, "") : body;
    if (endTrim) text = text.replace(/\s+$/, "");
    const literal = text.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
    return `{{${before ? "-" : ""} '${literal}' ${after ? "-" : ""}}}`;
  });
}

const NOT_AN_ARGUMENT = new Set(["else", "or", "and"]);
const OPENERS: Record<string, string> = { OpenParen: "CloseParen", OpenSquareBracket: "CloseSquareBracket", OpenCurlyBracket: "CloseCurlyBracket" };

/** The end (exclusive) of the bracketed group opening at `start`. */
function groupEnd(tokens: Token[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    if (OPENERS[tokens[i].type]) depth++;
    else if (Object.values(OPENERS).includes(tokens[i].type)) depth--;
    if (depth === 0) return i + 1;
  }
  throw new JinjaError("TemplateSyntaxError", "unexpected end of template, expected ')'");
}

/** Rewrites `x is [not] name [args]` as `x | __jinja_test__('name', negate, args…)`. */
function rewriteTests(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== "Identifier" || t.value !== "is") {
      out.push(t);
      continue;
    }
    let j = i + 1;
    const negate = tokens[j]?.type === "Identifier" && tokens[j].value === "not";
    if (negate) j++;
    const name = tokens[j];
    if (name?.type !== "Identifier") throw new JinjaError("TemplateSyntaxError", "expected a test name after 'is'");
    j++;
    let args: Token[] = [];
    const next = tokens[j];
    if (next?.type === "OpenParen") {
      const end = groupEnd(tokens, j);
      args = tokens.slice(j + 1, end - 1);
      j = end;
    } else if (next && (next.type === "StringLiteral" || next.type === "NumericLiteral" || (next.type === "Identifier" && !NOT_AN_ARGUMENT.has(next.value)) || next.type === "OpenSquareBracket" || next.type === "OpenCurlyBracket")) {
      if (next.type === "Identifier" && next.value === "is") throw new JinjaError("TemplateSyntaxError", "You cannot chain multiple tests with is");
      let end = next.type.startsWith("Open") ? groupEnd(tokens, j) : j + 1;
      for (;;) {
        if (tokens[end]?.type === "Dot" && (tokens[end + 1]?.type === "Identifier" || tokens[end + 1]?.type === "NumericLiteral")) end += 2;
        else if (tokens[end]?.type === "OpenSquareBracket") end = groupEnd(tokens, end);
        else break;
      }
      args = tokens.slice(j, end);
      j = end;
    }
    out.push(tok("|", "Pipe"), tok(TEST_FILTER, "Identifier"), tok("(", "OpenParen"), tok(name.value, "StringLiteral"), tok(",", "Comma"), tok(negate ? "true" : "false", "Identifier"));
    if (args.length) out.push(tok(",", "Comma"), ...args);
    out.push(tok(")", "CloseParen"));
    i = j - 1;
  }
  return out;
}

const GROUPING_AFTER = new Set(["Comma", "OpenParen", "OpenSquareBracket", "OpenCurlyBracket", "Colon", "OpenExpression", "Equals", "Pipe", "AdditiveBinaryOperator", "MultiplicativeBinaryOperator", "ExponentiationBinaryOperator", "ComparisonBinaryOperator", "UnaryOperator"]);
const GROUPING_KEYWORDS = new Set(["in", "not", "and", "or", "if", "else", "elif", "is"]);

/** What the parser lacks: `()`, `(a,)` tuples (→ a hidden tuple() call) and exponent floats (`1e5`, `1.5e-7`). */
function rewriteLiterals(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === "NumericLiteral" && tokens[i + 1]?.type === "Identifier") {
      const e = tokens[i + 1].value;
      let exponent: string | null = null;
      let used = 1;
      if (/^[eE]\d+$/.test(e)) exponent = e.slice(1);
      else if (/^[eE]$/.test(e) && tokens[i + 2]?.type === "AdditiveBinaryOperator" && /^\d+$/.test(tokens[i + 3]?.value ?? "")) {
        exponent = (tokens[i + 2].value === "-" ? "-" : "") + tokens[i + 3].value;
        used = 3;
      } else if (/^[eE]$/.test(e) && /^[+-]\d+$/.test(tokens[i + 2]?.value ?? "") && tokens[i + 2].type === "NumericLiteral") {
        exponent = tokens[i + 2].value.replace("+", "");
        used = 2;
      }
      if (exponent !== null) {
        out.push(tok(`${t.value.includes(".") ? t.value : `${t.value}.0`}e${exponent}`, "NumericLiteral"));
        i += used;
        continue;
      }
    }
    const prev = out.at(-1);
    const grouping = t.type === "OpenParen" && (!prev || GROUPING_AFTER.has(prev.type) || (prev.type === "Identifier" && GROUPING_KEYWORDS.has(prev.value)));
    if (grouping) {
      const end = groupEnd(tokens, i);
      const inner = tokens.slice(i + 1, end - 1);
      if (inner.length === 0 || inner.at(-1)!.type === "Comma") {
        out.push(tok(TUPLE_CALL, "Identifier"), tok("(", "OpenParen"), ...rewriteLiterals(inner), tok(")", "CloseParen"));
        i = end - 1;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit));
  if (node instanceof Map) {
    for (const [k, v] of node) {
      walk(k, visit);
      walk(v, visit);
    }
    return;
  }
  if (!node || typeof node !== "object" || typeof (node as Node).type !== "string") return;
  visit(node as Node);
  for (const value of Object.values(node)) if (value && typeof value === "object") walk(value, visit);
}

/** Jinja2 refuses unknown filters and tests when it compiles a template, even in branches not taken. */
function checkNames(program: Node): void {
  walk(program, (n) => {
    const filter: Node | undefined = n.type === "FilterExpression" || n.type === "FilterStatement" ? n.filter : undefined;
    if (!filter) return;
    const name: string = filter.type === "Identifier" ? filter.value : filter.callee?.value;
    if (name === TEST_FILTER) {
      const test: string = filter.args[0].value;
      if (!Object.hasOwn(TESTS, test)) throw new JinjaError("TemplateAssertionError", `No test named '${test}'.`);
      return;
    }
    if (UNSUPPORTED_FILTERS.has(name)) throw new JinjaError("TemplateAssertionError", `The Jinja2 filter '${name}' is not supported by this server.`);
    if (!Object.hasOwn(FILTERS, name)) throw new JinjaError("TemplateAssertionError", `No filter named '${name}'.`);
  });
}

const cache = new Map<string, Node>();

function compile(source: string): Node {
  const cached = cache.get(source);
  if (cached) return cached;
  const normalised = replaceRawBlocks(source.replace(/\r\n|\r/g, "\n"));
  let program: Node;
  try {
    program = parse(rewriteTests(rewriteLiterals(tokenize(normalised, { lstrip_blocks: false, trim_blocks: false })))) as unknown as Node;
  } catch (err) {
    if (err instanceof JinjaError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const tag = /^Unknown statement type: (\w+)/.exec(message);
    throw new JinjaError("TemplateSyntaxError", tag ? `Encountered unknown tag '${tag[1]}'.` : message);
  }
  checkNames(program);
  if (cache.size >= 200) cache.delete(cache.keys().next().value!);
  cache.set(source, program);
  return program;
}

/** Renders `source` with JSON `variables`; throws JinjaError (kind + message) on any failure. */
export function renderTemplate(source: string, variables: Record<string, unknown>, limits: Partial<Limits> = {}): string {
  const program = compile(source);
  const values = new Map<string, Py>(Object.entries(variables).map(([k, v]) => [k, fromJson(v)]));
  try {
    return new Interpreter({ ...DEFAULT_LIMITS, ...limits }).render(program, values);
  } catch (err) {
    if (err instanceof RangeError) throw new JinjaError("RecursionError", "maximum recursion depth exceeded");
    throw err;
  }
}

export { JinjaError };
