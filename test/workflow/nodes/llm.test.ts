// The llm node's prompt (spec §3.4): what the model receives for each part of the config.
import { describe, expect, it } from "vitest";
import { NO_PROMPT } from "../../../src/workflow/llm/messages";
import { runNode, scriptedModel } from "../../helpers/workflow";
import { file, servicesWith, withModel } from "./llm-harness";

const chat = (prompt_template: unknown, extra: Record<string, unknown> = {}) =>
  withModel({ prompt_template, context: { enabled: false, variable_selector: [] }, vision: { enabled: false }, ...extra });

async function sent(data: Record<string, unknown>, values: Record<string, Record<string, unknown>> = {}, overrides = {}, config = {}) {
  const model = scriptedModel(["ok"]);
  await runNode("llm", data, values, servicesWith(model, overrides, config));
  return model.calls[0];
}

describe("llm prompt messages", () => {
  it("renders each template message in order with its role and drops the empty ones", async () => {
    const call = await sent(
      chat([
        { role: "system", text: "You help {{#start.name#}}." },
        { role: "user", text: "" },
        { role: "user", text: "Q: {{#sys.query#}} ({{#start.n#}}, {{#start.flag#}}, {{#start.obj#}})" },
        { role: "assistant", text: "noted" },
      ]),
      { start: { name: "Ada", n: 1.5, flag: true, obj: { a: "é" } }, sys: { query: "hi" } },
    );
    expect(call.messages).toEqual([
      { role: "system", content: "You help Ada." },
      { role: "user", content: 'Q: hi (1.5, True, {"a": "é"})' },
      { role: "assistant", content: "noted" },
    ]);
  });

  it("fails on a variable the template names that does not exist", async () => {
    const run = runNode("llm", chat([{ role: "user", text: "{{#start.missing#}}" }]), { start: {} }, servicesWith(scriptedModel()));
    await expect(run).rejects.toMatchObject({ message: "Variable #start.missing# not found", errorType: "VariableNotFoundError" });
  });

  it("fails with Dify's message when nothing is left to send", async () => {
    const empty = runNode("llm", chat([{ role: "system", text: "" }]), {}, servicesWith(scriptedModel()));
    await expect(empty).rejects.toMatchObject({ message: NO_PROMPT, errorType: "NoPromptFoundError" });
    const none = runNode("llm", withModel({}), {}, servicesWith(scriptedModel()));
    await expect(none).rejects.toMatchObject({ message: NO_PROMPT });
  });

  it("puts the context in place of {{#context#}}: a string, or list items one per line", async () => {
    const template = [{ role: "system", text: "Use:\n{{#context#}}\nEnd" }];
    const context = { enabled: true, variable_selector: ["kr", "result"] };
    const text = await sent(chat(template, { context }), { kr: { result: "plain {{#sys.query#}} text" }, sys: { query: "q" } });
    // The retrieved text is not read as a template.
    expect(text.messages[0].content).toBe("Use:\nplain {{#sys.query#}} text\nEnd");
    const list = await sent(chat(template, { context }), { kr: { result: ["one", { content: "two", summary: "sum" }, { content: "three", metadata: { _source: "knowledge" } }] } });
    expect(list.messages[0].content).toBe("Use:\none\nsum\ntwo\nthree\nEnd");
    // No context (disabled or missing): the placeholder is replaced by nothing (1.14.2).
    expect((await sent(chat(template))).messages[0].content).toBe("Use:\n\nEnd");
    expect((await sent(chat(template, { context }), {})).messages[0].content).toBe("Use:\n\nEnd");
    const bad = runNode("llm", chat(template, { context }), { kr: { result: [{ text: "no content" }] } }, servicesWith(scriptedModel()));
    await expect(bad).rejects.toMatchObject({ errorType: "InvalidContextStructureError" });
  });

  it("does not add the query without memory", async () => {
    const call = await sent(chat([{ role: "system", text: "sys" }]), { sys: { query: "hello" } });
    expect(call.messages).toEqual([{ role: "system", content: "sys" }]);
  });

  it("memory: the history window after the template, then the query template as the last user message", async () => {
    let limit = 0;
    const history = async (max: number) => {
      limit = max;
      return [
        { query: "q1", answer: "a1" },
        { query: "q2", answer: "a2" },
      ];
    };
    const memory = { window: { enabled: true, size: 2 }, query_prompt_template: "Now: {{#sys.query#}}" };
    const call = await sent(chat([{ role: "system", text: "sys" }], { memory }), { sys: { query: "q3", files: [] } }, { history, conversationId: "c" });
    expect(limit).toBe(2);
    expect(call.messages).toEqual([
      { role: "system", content: "sys" },
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "q2" },
      { role: "assistant", content: "a2" },
      { role: "user", content: "Now: q3" },
    ]);
    // An empty query template sends sys.query as it is (never read as a template).
    const plain = await sent(chat([], { memory: { window: { enabled: false } } }), { sys: { query: "{{#x.y#}} literally" } });
    expect(plain.messages).toEqual([{ role: "user", content: "{{#x.y#}} literally" }]);
  });

  it("memory: drops the oldest messages that do not fit the model's context", async () => {
    const long = (c: string) => c.repeat(80);
    const history = async () => [
      { query: long("a"), answer: long("b") },
      { query: long("c"), answer: long("d") },
      { query: long("e"), answer: long("f") },
    ];
    const data = chat([], { memory: { window: { enabled: false } }, model: { provider: "openai", name: "m", mode: "chat", completion_params: { max_tokens: 10 } } });
    // context 60 − max_tokens 10 = 50 tokens: two 80-character messages (24 each + 2).
    const call = await sent(data, { sys: { query: "now" } }, { history, conversationId: "c" }, { context_size: 60 });
    expect(call.messages.map((m: { content: string }) => m.content)).toEqual([long("e"), long("f"), "now"]);
  });

  it("vision: image files first in the last user message, as data URLs with the configured detail", async () => {
    const vision = { enabled: true, configs: { detail: "low", variable_selector: ["sys", "files"] } };
    const files = [file("img1"), file("doc1", "document", "a.pdf", "application/pdf"), file("img2", "image", "b.jpg", "")];
    const call = await sent(chat([{ role: "user", text: "look" }], { vision }), { sys: { files } });
    expect(call.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: `data:image/png;base64,${btoa("img1")}`, detail: "low" } },
          { type: "image_url", image_url: { url: `data:image/jpeg;base64,${btoa("img2")}`, detail: "low" } },
          { type: "text", text: "look" },
        ],
      },
    ]);
    // After a system message the images are a user message of their own; default selector sys.files, detail high.
    const alone = await sent(chat([{ role: "system", text: "sys" }], { vision: { enabled: true } }), { sys: { files: [file("img1")] } });
    expect(alone.messages[1]).toEqual({ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${btoa("img1")}`, detail: "high" } }] });
    // Vision off: no files at all.
    expect((await sent(chat([{ role: "user", text: "look" }]), { sys: { files } })).messages).toEqual([{ role: "user", content: "look" }]);
    const wrong = runNode("llm", chat([{ role: "user", text: "x" }], { vision }), { sys: { files: "nope" } }, servicesWith(scriptedModel()));
    await expect(wrong).rejects.toMatchObject({ errorType: "InvalidVariableTypeError" });
  });

  it("a file variable in a message follows it as a message of the same role", async () => {
    const call = await sent(chat([{ role: "user", text: "see {{#start.pic#}}" }]), { start: { pic: file("p1") } });
    expect(call.messages).toEqual([
      { role: "user", content: "see " },
      { role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${btoa("p1")}`, detail: "high" } }] },
    ]);
  });

  it("model params: references rendered and coerced, stop words, unknown params dropped, the registration's model id", async () => {
    const data = chat([{ role: "user", text: "x" }], {
      model: { provider: "openai", name: "gpt-4o", mode: "chat", completion_params: { temperature: "{{#start.t#}}", top_p: "{{#start.word#}}", max_tokens: 100, stop: ["END", ""], seed: 3 } },
    });
    const call = await sent(data, { start: { t: "0.25", word: "high" } }, {}, { model: "gpt-4o-2024-08-06" });
    expect(call.params).toEqual({ temperature: 0.25, max_tokens: 100, stop: ["END"] });
    expect(call.model).toBe("gpt-4o-2024-08-06");
  });

  it("completion models: one user prompt with the history text where #histories# is", async () => {
    const data = withModel(
      {
        prompt_template: { text: "History:\n{{#histories#}}\nHuman: {{#sys.query#}}\nAssistant:" },
        memory: { role_prefix: { user: "H", assistant: "A" }, window: { enabled: false } },
        context: { enabled: false },
      },
      { mode: "completion" },
    );
    const history = async () => [{ query: "q1", answer: "a1" }];
    const call = await sent(data, { sys: { query: "q2" } }, { history, conversationId: "c" });
    expect(call.messages).toEqual([{ role: "user", content: "History:\nH: q1\nA: a1\nHuman: q2\nAssistant:" }]);
    // A workflow (no conversation) has no history: the placeholder goes, and no prefix is needed.
    const workflow = await sent({ ...data, memory: { window: { enabled: false } } }, { sys: { query: "q" } });
    expect(workflow.messages).toEqual([{ role: "user", content: "History:\n\nHuman: q\nAssistant:" }]);
    const noPrefix = runNode("llm", { ...data, memory: { window: { enabled: false } } }, { sys: { query: "q" } }, servicesWith(scriptedModel(), { conversationId: "c" }));
    await expect(noPrefix).rejects.toMatchObject({ message: "Memory role prefix is required for completion model." });
  });
});
