// jinja2-edition prompt messages are rendered by the real Jinja2 renderer (jinja.ts) with the
// jinja2_variables' raw values, printed as Python prints them; basic messages stay {{#…#}}
// templates. A render error, or a jinja2 variable the pool does not have, fails the node.
import { describe, expect, it } from "vitest";
import { runNode, scriptedModel } from "../../helpers/workflow";
import { servicesWith, withModel } from "./llm-harness";

const data = (prompt_template: unknown) =>
  withModel({
    prompt_template,
    prompt_config: { jinja2_variables: [{ variable: "name", value_selector: ["start", "name"] }, { variable: "items", value_selector: ["start", "items"] }] },
    context: { enabled: false },
  });

describe("llm jinja2 edition", () => {
  it("renders jinja2 messages with the jinja2_variables (raw values) and basic ones as templates", async () => {
    const model = scriptedModel(["ok"]);
    const template = [
      { role: "system", edition_type: "jinja2", text: "ignored {{#start.name#}}", jinja2_text: "Hi {{ name }}: {{ items }}{% for i in items %} [{{ loop.index }}:{{ i * 2 }}]{% endfor %}" },
      { role: "user", edition_type: "basic", text: "basic {{#start.name#}} {{ name }}" },
    ];
    await runNode("llm", data(template), { start: { name: "Ada", items: [1, 2.5, true] } }, servicesWith(model));
    expect(model.calls[0].messages).toEqual([
      { role: "system", content: "Hi Ada: [1, 2.5, True] [1:2] [2:5.0] [3:2]" },
      { role: "user", content: "basic Ada {{ name }}" },
    ]);
  });

  it("a completion template in jinja2 is rendered the same way", async () => {
    const model = scriptedModel(["ok"]);
    const completion = withModel({ ...data({ edition_type: "jinja2", text: "", jinja2_text: "{{ name | upper }}! {{ items | length }} {{ missing }}." }) }, { mode: "completion" });
    await runNode("llm", completion, { start: { name: "Ada", items: [] } }, servicesWith(model));
    expect(model.calls[0].messages).toEqual([{ role: "user", content: "ADA! 0 ." }]);
  });

  it("the renderer's failure is the node's failure; a missing jinja2 variable fails before it", async () => {
    const failing = [{ role: "user", edition_type: "jinja2", text: "", jinja2_text: "{{ name.first.letter }}" }];
    const model = scriptedModel();
    await expect(runNode("llm", data(failing), { start: { name: {}, items: [] } }, servicesWith(model))).rejects.toMatchObject({
      message: "UndefinedError: 'dict object' has no attribute 'first'",
      errorType: "TemplateRenderError",
    });
    const syntax = [{ role: "user", edition_type: "jinja2", text: "", jinja2_text: "{% if name %}unclosed" }];
    await expect(runNode("llm", data(syntax), { start: { name: "Ada", items: [] } }, servicesWith(model))).rejects.toMatchObject({ errorType: "TemplateRenderError" });
    expect(model.calls).toEqual([]);
    await expect(runNode("llm", data(failing), { start: { name: "Ada" } }, servicesWith(scriptedModel()))).rejects.toMatchObject({ message: "Variable items not found" });
  });
});
