// Dify's variable templates `{{#node_id.var.path#}}` (spec dify-dsl-and-nodes.md §2.4): node id
// [A-Za-z0-9_]{1,50}, then 1–10 segments [A-Za-z_][A-Za-z0-9_]{0,29}. A template is split into
// literal and variable parts; a reference to a variable that does not exist renders as its bare
// dotted path (Dify's quirk, kept).
import { toMarkdown, toText } from "./segments";
import type { Selector, VariablePool } from "./variable-pool";

const REFERENCE = /\{\{#([a-zA-Z0-9_]{1,50}(?:\.[a-zA-Z_][a-zA-Z0-9_]{0,29}){1,10})#\}\}/g;

export type TemplatePart = { kind: "text"; text: string } | { kind: "variable"; selector: Selector };

export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(REFERENCE)) {
    if (match.index > last) parts.push({ kind: "text", text: template.slice(last, match.index) });
    parts.push({ kind: "variable", selector: match[1].split(".") });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: "text", text: template.slice(last) });
  return parts;
}

/** The selectors a template references. */
export function templateSelectors(template: string): Selector[] {
  return parseTemplate(template).flatMap((p) => (p.kind === "variable" ? [p.selector] : []));
}

/** Renders with `.text` (prompts, HTTP, instructions) or `.markdown` (answers) of each value. */
export function renderVariables(template: string, pool: VariablePool, mode: "text" | "markdown" = "text"): string {
  const show = mode === "markdown" ? toMarkdown : toText;
  return parseTemplate(template)
    .map((part) => {
      if (part.kind === "text") return part.text;
      const lookup = pool.get(part.selector);
      return lookup.found ? show(lookup.value) : part.selector.join(".");
    })
    .join("");
}
