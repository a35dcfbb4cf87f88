// template-transform (spec §3.6): variables rendered by the Jinja2 renderer into `output`; render
// errors and outputs over TEMPLATE_TRANSFORM_MAX_LENGTH fail the node; configurations that can
// never run are refused by check().
import { describe, expect, it } from "vitest";
import { nodeDefinition } from "../../../src/workflow/nodes";
import { NodeError } from "../../../src/workflow/types";
import { fakeServices, runNode, SETTINGS } from "../../helpers/workflow";

const data = (template: string, variables = [{ variable: "arg1", value_selector: ["start", "x"] }]) => ({ template, variables });

describe("template-transform", () => {
  it("renders the template with its variables into output, inputs as given", async () => {
    const out = await runNode("template-transform", data("{{ arg1.name }} is {{ arg1.age }}: {{ arg1 }}"), { start: { x: { name: "Ada", age: 36 } } });
    expect(out.outputs).toEqual({ output: "Ada is 36: {'name': 'Ada', 'age': 36}" });
    expect(out.inputs).toEqual({ arg1: { name: "Ada", age: 36 } });
  });

  it("passes null for a variable the pool does not have (Python prints None)", async () => {
    const out = await runNode("template-transform", data("[{{ arg1 }}]", [{ variable: "arg1", value_selector: ["nowhere", "x"] }]));
    expect(out.outputs).toEqual({ output: "[None]" });
    expect(out.inputs).toEqual({ arg1: null });
  });

  it("prints lists, booleans and nested values as Python does", async () => {
    const out = await runNode("template-transform", data("{{ arg1 }} {{ arg1|length }} {{ arg1[0] is sameas true }}"), { start: { x: [true, null, "a", 1.5] } });
    expect(out.outputs).toEqual({ output: "[True, None, 'a', 1.5] 4 True" });
  });

  it("fails on a render error with the renderer's message", async () => {
    const err = await runNode("template-transform", data("{{ arg1.a.b }}"), { start: { x: {} } }).catch((e) => e);
    expect(err).toBeInstanceOf(NodeError);
    expect(err.message).toBe("UndefinedError: 'dict object' has no attribute 'a'");
    await expect(runNode("template-transform", data("{% for %}"))).rejects.toThrow(/^TemplateSyntaxError/);
  });

  it("fails when the output is longer than TEMPLATE_TRANSFORM_MAX_LENGTH", async () => {
    const services = fakeServices({ settings: { ...SETTINGS, templateTransformMaxLength: 10 } });
    expect((await runNode("template-transform", data("{{ 'x' * 10 }}"), {}, services)).outputs).toEqual({ output: "xxxxxxxxxx" });
    await expect(runNode("template-transform", data("{{ 'x' * 11 }}"), {}, services)).rejects.toThrow("Output length exceeds 10 characters");
  });

  it("check() refuses configurations that can never run", () => {
    const check = nodeDefinition("template-transform")!.check!;
    expect(check(data("{{ a }}"))).toBeNull();
    expect(check({ template: "x", variables: [{ variable: "a", value_selector: [] }] })).toBeNull();
    expect(check({ variables: [] })).toBe("template must be a string");
    expect(check({ template: "x", variables: "a" })).toBe("variables must be a list");
    expect(check({ template: "x", variables: [{ value_selector: ["a", "b"] }] })).toBe("each variable needs a name (variable)");
  });
});
