// Jinja2 rendering as Dify's sandbox does it (Python's jinja2: no autoescape, undefined renders
// empty, values printed as Python prints them). Used by template-transform, jinja2-edition LLM
// prompts and code nodes with code_language jinja2. The renderer (code/jinja/) loads on first use,
// so a request that renders no template does not initialise it.
import { NodeError } from "./types";

export async function renderJinja(template: string, variables: Record<string, unknown>): Promise<string> {
  const { renderTemplate, JinjaError } = await import("./code/jinja/index");
  try {
    return renderTemplate(template, variables);
  } catch (err) {
    if (err instanceof JinjaError) throw new NodeError(err.message ? `${err.kind}: ${err.message}` : err.kind, "TemplateRenderError");
    throw err;
  }
}
