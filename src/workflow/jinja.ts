// Jinja2 rendering as Dify's sandbox does it (Python's jinja2: no autoescape, undefined renders
// empty, values printed as Python prints them). Used by template-transform, jinja2-edition LLM
// prompts and code nodes with code_language jinja2.
import { NodeError } from "./types";

export async function renderJinja(_template: string, _variables: Record<string, unknown>): Promise<string> {
  throw new NodeError("Jinja2 templates cannot be rendered on this server yet.", "TemplateRenderError");
}
