// jinja2-edition prompt messages go to renderJinja with the jinja2_variables' values (the rendering
// itself is jinja.ts's and tested there). The renderer is replaced here so this holds before and
// after the real one lands.
import { describe, expect, it, vi } from "vitest";
import { NodeError } from "../../../src/workflow/types";
import { runNode, scriptedModel } from "../../helpers/workflow";
import { servicesWith, withModel } from "./llm-harness";

const calls = vi.hoisted(() => [] as { template: string; variables: Record<string, unknown> }[]);

vi.mock("../../../src/workflow/jinja", () => ({
  renderJinja: async (template: string, variables: Record<string, unknown>) => {
    calls.push({ template, variables });
    if (template.includes("fail")) throw new NodeError("Jinja2 templates cannot be rendered on this server yet.", "TemplateRenderError");
    return `rendered:${template}`;
  },
}));

const data = (prompt_template: unknown) =>
  withModel({
    prompt_template,
    prompt_config: { jinja2_variables: [{ variable: "name", value_selector: ["start", "name"] }, { variable: "items", value_selector: ["start", "items"] }] },
    context: { enabled: false },
  });

describe("llm jinja2 edition", () => {
  it("renders jinja2 messages with the jinja2_variables (raw values) and basic ones as templates", async () => {
    calls.length = 0;
    const model = scriptedModel(["ok"]);
    const template = [
      { role: "system", edition_type: "jinja2", text: "ignored {{#start.name#}}", jinja2_text: "Hi {{ name }}" },
      { role: "user", edition_type: "basic", text: "basic {{#start.name#}}" },
    ];
    await runNode("llm", data(template), { start: { name: "Ada", items: [1, 2] } }, servicesWith(model));
    expect(calls).toEqual([{ template: "Hi {{ name }}", variables: { name: "Ada", items: [1, 2] } }]);
    expect(model.calls[0].messages).toEqual([
      { role: "system", content: "rendered:Hi {{ name }}" },
      { role: "user", content: "basic Ada" },
    ]);
  });

  it("a completion template in jinja2 is rendered the same way", async () => {
    calls.length = 0;
    const model = scriptedModel(["ok"]);
    const completion = withModel({ ...data({ edition_type: "jinja2", text: "", jinja2_text: "{{ name }}!" }) }, { mode: "completion" });
    await runNode("llm", completion, { start: { name: "Ada", items: [] } }, servicesWith(model));
    expect(model.calls[0].messages).toEqual([{ role: "user", content: "rendered:{{ name }}!" }]);
  });

  it("the renderer's failure is the node's failure; a missing jinja2 variable fails before it", async () => {
    const failing = [{ role: "user", edition_type: "jinja2", text: "", jinja2_text: "fail {{ name }}" }];
    await expect(runNode("llm", data(failing), { start: { name: "Ada", items: [] } }, servicesWith(scriptedModel()))).rejects.toMatchObject({
      message: "Jinja2 templates cannot be rendered on this server yet.",
      errorType: "TemplateRenderError",
    });
    await expect(runNode("llm", data(failing), { start: { name: "Ada" } }, servicesWith(scriptedModel()))).rejects.toMatchObject({ message: "Variable items not found" });
  });
});
