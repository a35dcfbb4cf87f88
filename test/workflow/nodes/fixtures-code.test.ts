// Dify's iteration fixtures that need the code and template-transform nodes, on the real engine: the
// python code nodes through the fake dify-sandbox on loopback (the protocol, the runner, the inputs
// decoded from it), the Jinja2 template through the renderer.
import { describe, expect, it } from "vitest";
import { fakeSandbox } from "../../helpers/fake-sandbox";
import { fixture } from "../../helpers/fixtures";
import { runGraph, streamingNode } from "../../helpers/workflow";

describe("Dify fixtures with code and template-transform nodes", () => {
  it("array_iteration_formatting: python list → iteration + Jinja2 → output: 1..3", async () => {
    const sandbox = await fakeSandbox();
    const run = await runGraph(fixture("array_iteration_formatting_workflow"), { services: sandbox.services() });
    expect(run.status).toBe("succeeded");
    expect(run.outputs).toEqual({ output: ["output: 1", "output: 2", "output: 3"] });
    const calls = await sandbox.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ language: "python3", preload: "", enable_network: true, contentType: "application/json", inputs: {} });
  });

  it("iteration_flatten_output_enabled: python code per item → [1,2,2,4,3,6]", async () => {
    const sandbox = await fakeSandbox();
    const run = await runGraph(fixture("iteration_flatten_output_enabled_workflow"), { services: sandbox.services() });
    expect(run.status).toBe("succeeded");
    expect(run.outputs).toEqual({ output: [1, 2, 2, 4, 3, 6] });
    expect((await sandbox.calls()).map((c) => c.inputs)).toEqual([{}, { arg1: 1 }, { arg1: 2 }, { arg1: 3 }]);
  });

  it("dual_switch_variable_aggregator: four templates, one per branch, grouped by the aggregator", async () => {
    for (const [switch1, switch2] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      const run = await runGraph(fixture("dual_switch_variable_aggregator_workflow"), { inputs: { switch1, switch2 } });
      expect(run.status).toBe("succeeded");
      expect(run.outputs).toEqual({ group1: `switch 1 ${switch1 ? "on" : "off"}`, group2: `switch 2 ${switch2 ? "on" : "off"}` });
    }
  });

  it("conditional_streaming_vs_template: blocking=1 sends the query, then the template's output at once", async () => {
    const llm = streamingNode(({ node }) => `reply of ${node.id}`);
    const run = await runGraph(fixture("conditional_streaming_vs_template_workflow"), { inputs: { query: "hi there", blocking: 1 }, nodes: { llm } });
    expect(run.status).toBe("succeeded");
    expect(run.outputs).toEqual({ query: "hi there", text: "reply of 1754239044238" });
    expect(run.chunks.map((c) => c.text)).toEqual(["hi there", "\n", "reply of 1754239044238"]);
    const streamed = await runGraph(fixture("conditional_streaming_vs_template_workflow"), { inputs: { query: "hi there", blocking: 2 }, nodes: { llm } });
    expect(streamed.outputs).toEqual({ query: "hi there", text: "reply of 17542969329740" });
    expect(streamed.chunks.map((c) => c.text)).toEqual(["hi there", "\n", "reply ", "of ", "17542969329740"]);
  });

  it("without a sandbox endpoint the python node fails naming CODE_EXECUTION_ENDPOINT", async () => {
    const run = await runGraph(fixture("iteration_flatten_output_enabled_workflow"));
    expect(run.status).toBe("failed");
    expect(run.error).toContain("CODE_EXECUTION_ENDPOINT");
  });
});
