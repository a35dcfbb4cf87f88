// Dify's easy-UI prompt templates (core/prompt/utils/prompt_template_parser.py semantics):
// `{{name}}` with name [A-Za-z_][A-Za-z0-9_]{0,29}, plus {{#context#}}, {{#query#}}, {{#histories#}}.
// Unknown names stay verbatim; `{{x}}` inside a substituted value is defanged to `{x}`; any
// `<|...|>` sequence is removed from the result. Inputs are stringified as Python's str() would.

const VARIABLE = /\{\{([a-zA-Z_][a-zA-Z0-9_]{0,29}|#histories#|#query#|#context#)\}\}/g;

/** Python repr() of a JSON value (quoted strings). */
export function pyRepr(value: unknown): string {
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return pyStr(value);
}

/** Python str() of a JSON value (True/False/None, reprs inside containers). */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  }
  return String(value);
}

/** Renders `template` with `values` (already strings). */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const rendered = template.replace(VARIABLE, (match, key: string) => {
    const value = Object.hasOwn(values, key) ? values[key] : undefined;
    return value === undefined ? match : value.replace(VARIABLE, "{$1}");
  });
  return rendered.replace(/<\|.*?\|>/g, "");
}

/** Form inputs as template values (Python str() of each). */
export function inputValues(inputs: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, pyStr(v)]));
}
