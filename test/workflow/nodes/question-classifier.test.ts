// question-classifier (spec §3.14): the few-shot prompt, reading the reply, the branch taken.
import { describe, expect, it } from "vitest";
import { CompletionRequestError } from "../../../src/lib/errors";
import { questionClassifierNode } from "../../../src/workflow/nodes/question-classifier";
import { runGraph, runNode, scriptedModel } from "../../helpers/workflow";
import { failingModel, file, servicesWith, withModel } from "./llm-harness";

const CLASSES = [
  { id: "c1", name: "Refunds" },
  { id: "c2", name: "Shipping {{#start.region#}}", label: "Ship" },
  { id: "c3", name: "Other" },
];
const data = (extra: Record<string, unknown> = {}) =>
  withModel({ query_variable_selector: ["sys", "query"], classes: CLASSES, instruction: "Tone: {{#start.tone#}}", vision: { enabled: false }, ...extra });
const values = { sys: { query: "Where is my parcel?" }, start: { region: "EU", tone: "strict" } };

async function classify(reply: string, extra: Record<string, unknown> = {}) {
  const model = scriptedModel([reply]);
  const out = await runNode("question-classifier", data(extra), values, servicesWith(model));
  return { out, messages: model.calls[0].messages };
}

describe("question-classifier prompt", () => {
  it("system, two example exchanges, then the input, categories and rendered instruction as JSON", async () => {
    const { messages } = await classify('{"category_id": "c2", "category_name": "x"}');
    expect(messages.map((m: { role: string }) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
    expect(messages[0].content).toContain("<histories>\n\n</histories>");
    expect(messages[2].content).toMatch(/^```json\n\{"keywords": .*"category_id": .*\n```$/s);
    expect(messages[5].content).toBe(
      '{"input_text": ["Where is my parcel?"], "categories": [{"category_id": "c1", "category_name": "Refunds"}, {"category_id": "c2", "category_name": "Shipping EU"}, {"category_id": "c3", "category_name": "Other"}], "classification_instructions": ["Tone: strict"]}',
    );
  });

  it("completion models get one prompt that ends where the answer starts", async () => {
    const { messages } = await classify('{"category_id": "c1", "category_name": "Refunds"}', { model: { provider: "openai", name: "m", mode: "completion", completion_params: {} } });
    expect(messages).toHaveLength(1);
    expect(messages[0].role).toBe("user");
    expect(messages[0].content).toContain('### User Input\n{"input_text": ["Where is my parcel?"]');
    expect(messages[0].content.endsWith("### Assistant Output\n")).toBe(true);
  });

  it("memory in a conversation: the history as Human/Assistant lines, window.size even when the window is off", async () => {
    let limit = 0;
    const history = async (max: number) => {
      limit = max;
      return [{ query: "hello", answer: "hi, how can I help?" }];
    };
    const model = scriptedModel(['{"category_id": "c1", "category_name": "Refunds"}']);
    await runNode("question-classifier", data({ memory: { window: { enabled: false, size: 7 } } }), values, servicesWith(model, { history, conversationId: "c" }));
    expect(limit).toBe(7);
    expect(model.calls[0].messages[0].content).toContain("<histories>\nHuman: hello\nAssistant: hi, how can I help?\n</histories>");
  });

  it("vision: the images go first into the input message", async () => {
    const model = scriptedModel(['{"category_id": "c1", "category_name": "Refunds"}']);
    await runNode("question-classifier", data({ vision: { enabled: true } }), { ...values, sys: { ...values.sys, files: [file("img")] } }, servicesWith(model));
    const last = model.calls[0].messages[5];
    expect(last.content[0]).toEqual({ type: "image_url", image_url: { url: `data:image/png;base64,${btoa("img")}`, detail: "high" } });
    expect(last.content[1].text).toContain('"input_text": ["Where is my parcel?"]');
  });
});

describe("question-classifier reply", () => {
  it("the named class: its rendered name, label (CLASS n by default), usage, and its id as the branch", async () => {
    const { out } = await classify('```json\n{"keywords": ["parcel"], "category_id": "c2", "category_name": "Shipping"}\n```');
    expect(out.outputs).toMatchObject({ class_name: "Shipping EU", class_label: "Ship", class_id: "c2" });
    expect(Object.keys(out.outputs)).toEqual(["class_name", "class_label", "class_id", "usage"]);
    expect(out.outputs.usage).toMatchObject({ total_tokens: 15 });
    expect(out.handle).toBe("c2");
    expect(out.usage).toMatchObject({ totalTokens: 15 });
    const third = await classify('[{"category_id": "c3", "category_name": "Other"}]');
    expect(third.out.outputs).toMatchObject({ class_id: "c3", class_label: "CLASS 3" });
  });

  it("think blocks are stripped before reading", async () => {
    const { out } = await classify('<think>maybe {"category_id": "c1"}</think>{"category_id": "c3", "category_name": "Other"}');
    expect(out.handle).toBe("c3");
  });

  it("a category it does not have, or a reply without both keys, means the first class", async () => {
    for (const reply of ['{"category_id": "nope", "category_name": "?"}', '{"category_id": "c2"}']) {
      const { out } = await classify(reply);
      expect(out.outputs).toMatchObject({ class_name: "Refunds", class_id: "c1", class_label: "CLASS 1" });
      expect(out.handle).toBe("c1");
    }
  });

  it("a reply with no readable JSON fails the node, as in Dify", async () => {
    await expect(classify("I think it is about shipping.")).rejects.toMatchObject({ message: "could not find json block in the output.", errorType: "OutputParserError" });
    await expect(classify('{"category_id": c2}')).rejects.toMatchObject({ message: expect.stringMatching(/^got invalid json object\. error: /) });
    // A fenced list must hold exactly one object.
    await expect(classify("```\n[1, 2]\n```")).rejects.toMatchObject({ message: "got invalid return object. obj:[1, 2]" });
  });

  it("a provider error fails the node with its message", async () => {
    const error = new CompletionRequestError("[openai] Completion request failed (HTTP 503)");
    await expect(runNode("question-classifier", data(), values, servicesWith(failingModel(error)))).rejects.toMatchObject({ message: error.message });
  });

  it("takes the chosen class's branch in a graph", async () => {
    const graph = {
      nodes: [
        { id: "start", data: { type: "start", title: "Start", variables: [] } },
        { id: "qc", data: { type: "question-classifier", title: "QC", ...data() } },
        { id: "a1", data: { type: "answer", title: "A1", answer: "refund desk" } },
        { id: "a2", data: { type: "answer", title: "A2", answer: "shipping desk ({{#qc.class_name#}})" } },
      ],
      edges: [
        { id: "e0", source: "start", target: "qc", sourceHandle: "source" },
        { id: "e1", source: "qc", target: "a1", sourceHandle: "c1" },
        { id: "e2", source: "qc", target: "a2", sourceHandle: "c2" },
      ],
    };
    const model = scriptedModel(['{"category_id": "c2", "category_name": "Shipping"}']);
    const run = await runGraph(graph, { sys: values.sys, inputs: {}, services: servicesWith(model) });
    expect(run.status).toBe("succeeded");
    // Class names render against the pool: start.region is not set in this graph, so the bare path shows.
    expect(run.text).toBe("shipping desk (Shipping start.region)");
  });
});

describe("question-classifier check", () => {
  it("names configs that can never run", () => {
    expect(questionClassifierNode.check!(data())).toBeNull();
    expect(questionClassifierNode.check!(data({ classes: [] }))).toBe("No classes are configured.");
    expect(questionClassifierNode.check!(data({ classes: [{ name: "no id" }] }))).toBe("Every class needs an id and a name.");
    expect(questionClassifierNode.check!(withModel({ classes: CLASSES }, { name: "" }))).toBe("No model name is configured.");
  });
});
