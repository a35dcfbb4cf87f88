// Dify's engine fixtures that run an llm node, on the real engine with a scripted model: the
// answers' order and text, a join behind an if-else, and what the echo chat's model is sent.
import { describe, expect, it } from "vitest";
import { fixture } from "../../helpers/fixtures";
import { fakeServices, type GraphRun, runGraph, scriptedModel } from "../../helpers/workflow";

/** The run's answer as Dify's engine tests read it: the answer nodes' outputs in the order they finished. */
const answers = (run: GraphRun) => run.records.filter((r) => r.node.type === "answer").map((r) => String(r.outputs?.answer)).join("");

describe("fixtures with an llm node", () => {
  it("test-answer-order: literal answer first, then the streamed LLM text", async () => {
    const model = scriptedModel(["the model says hi"]);
    const run = await runGraph(fixture("test-answer-order"), { sys: { query: "hello", files: [] }, services: fakeServices({}, model) });
    expect(run.status).toBe("succeeded");
    expect(run.text).toBe("--- answer 1 ---\n\nfoo\n--- answer 2 ---\n\nthe model says hi\n");
    // The empty system message is dropped; the user message is the query.
    expect(model.calls[0].messages).toEqual([{ role: "user", content: "hello" }]);
    expect(model.calls[0].model).toBe("gpt-4o");
    expect(model.calls[0].params).toEqual({ temperature: 0.7 });
  });

  it("test_complex_branch: a query with hello gets the prefix and the LLM text", async () => {
    const model = scriptedModel(["fine thanks"]);
    const run = await runGraph(fixture("test_complex_branch"), { sys: { query: "hello there", files: [] }, services: fakeServices({}, model) });
    expect(run.status).toBe("succeeded");
    expect(answers(run)).toBe("contains 'hello'fine thanks");
    // Memory is set: the query template is the last user message (sys.files renders as nothing).
    expect(model.calls[0].messages).toEqual([{ role: "user", content: "hello there\n\n" }]);
  });

  it("test_complex_branch: any other query gets only the LLM text", async () => {
    const run = await runGraph(fixture("test_complex_branch"), { sys: { query: "good morning", files: [] }, services: fakeServices({}, scriptedModel(["ok"])) });
    expect(run.status).toBe("succeeded");
    expect(answers(run)).toBe("ok");
    expect(run.text).toBe("ok");
  });

  it("echo-chat: system prompt with the query, the history window, then the query template", async () => {
    const model = scriptedModel(["echo:hi right back"]);
    let asked = 0;
    const services = fakeServices(
      {
        conversationId: "conv-1",
        history: async (max) => {
          asked = max;
          return [{ query: "earlier", answer: "echo:earlier" }];
        },
      },
      model,
    );
    const run = await runGraph(fixture("echo-chat"), { sys: { query: "hi", files: [] }, services });
    expect(run.status).toBe("succeeded");
    expect(run.text).toBe("echo:hi right back");
    // The answer follows the LLM directly, so its words stream one by one as they arrive.
    expect(run.chunks.map((c) => c.text)).toEqual(["echo:hi ", "right ", "back"]);
    // window.enabled is false: Dify's 500-message ceiling applies.
    expect(asked).toBe(500);
    expect(model.calls[0].messages).toEqual([
      { role: "system", content: "User says: {hi Reply exactly: echo:hi" },
      { role: "user", content: "earlier" },
      { role: "assistant", content: "echo:earlier" },
      { role: "user", content: "hi\n" },
    ]);
  });
});
