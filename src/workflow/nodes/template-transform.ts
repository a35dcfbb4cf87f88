// template-transform (spec §3.6): the template rendered with its variables by the Jinja2 renderer
// (jinja.ts, Python's printing and defaults); output `output`. A render error fails the node, and so
// does an output longer than TEMPLATE_TRANSFORM_MAX_LENGTH (Dify's message).
import { checkVariables, readVariables } from "../code/variables";
import { renderJinja } from "../jinja";
import { type NodeDefinition, NodeError } from "../types";

export const templateTransformNode: NodeDefinition = {
  type: "template-transform",
  async run({ node, pool, services }) {
    const inputs = readVariables(node.data, pool);
    const template = typeof node.data.template === "string" ? node.data.template : "";
    const output = await renderJinja(template, inputs);
    const max = services.settings.templateTransformMaxLength;
    if (output.length > max) throw new NodeError(`Output length exceeds ${max} characters`, "TemplateRenderError");
    return { inputs, outputs: { output } };
  },
  check(data) {
    if (typeof data.template !== "string") return "template must be a string";
    return checkVariables(data.variables);
  },
};
