import { describe, expect, it } from "vitest";
import { assemblePrompt, type PromptSpec, renderIntroduction } from "../../src/llm/prompt";
import { pyStr, renderTemplate } from "../../src/llm/template";

const base: PromptSpec = {
  appMode: "chat",
  modelMode: "chat",
  promptType: "simple",
  prePrompt: "You help {{name}} with {{topic}}.",
  chatPromptConfig: null,
  completionPromptConfig: null,
  inputs: { name: "Ada" },
  query: "hi",
  history: [],
  files: [],
  contextSize: null,
  maxTokens: undefined,
};

describe("templates", () => {
  it("fills known variables, keeps unknown ones and defangs braces inside values", () => {
    expect(renderTemplate("Hi {{name}}, {{missing}} {{#query#}}", { name: "{{evil}} <|im_end|>", "#query#": "q" })).toBe("Hi {evil} , {{missing}} q");
    expect(renderTemplate("{{a_very_long_variable_name_exceeding_30}}", { a_very_long_variable_name_exceeding_30: "x" })).toBe("{{a_very_long_variable_name_exceeding_30}}");
  });

  it("stringifies inputs like Python's str()", () => {
    expect([true, false, null, 3, 1.5, "s", [1, "a"], { k: true }].map(pyStr)).toEqual(["True", "False", "None", "3", "1.5", "s", "[1, 'a']", "{'k': True}"]);
  });

  it("renders the introduction from the opening statement", () => {
    expect(renderIntroduction("Hello {{name}}!", { name: "Ada" })).toBe("Hello Ada!");
    expect(renderIntroduction(null, {})).toBe("");
  });
});

describe("simple prompts", () => {
  it("chat model: system prompt, history, query", () => {
    const { messages, stop } = assemblePrompt({ ...base, history: [{ query: "q1", answer: "a1" }] });
    expect(messages).toEqual([
      { role: "system", content: "You help Ada with {{topic}}.\n" },
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "hi" },
    ]);
    expect(stop).toBeUndefined();
  });

  it("trims the oldest history to the model's context", () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ query: `question ${i} `.repeat(20), answer: `answer ${i} `.repeat(20) }));
    const { messages } = assemblePrompt({ ...base, history, contextSize: 1200, maxTokens: 200 });
    const contents = messages.map((m) => m.content as string);
    expect(contents.at(-1)).toBe("hi");
    expect(contents.some((c) => c.startsWith("question 39"))).toBe(true);
    expect(contents.some((c) => c.startsWith("question 0 "))).toBe(false);
    expect(messages.length).toBeLessThan(20);
  });

  it("chat app on a completion-API model folds history into one prompt with Dify's stops", () => {
    const { messages, stop } = assemblePrompt({ ...base, modelMode: "completion", history: [{ query: "q1", answer: "a1" }] });
    expect(messages).toHaveLength(1);
    const text = messages[0].content as string;
    expect(text).toContain("You help Ada with {{topic}}.\nHere is the chat histories between human and assistant");
    expect(text).toContain("<histories>\nHuman: q1\nAssistant: a1\n</histories>");
    expect(text.endsWith("\n\nHuman: hi\n\nAssistant: ")).toBe(true);
    expect(stop).toEqual(["\nHuman:", "</histories>"]);
  });

  it("completion app: one user message when the query is empty, system + user when it is not", () => {
    const completion = { ...base, appMode: "completion" as const, prePrompt: "Write about {{name}}.", query: "" };
    expect(assemblePrompt(completion).messages).toEqual([{ role: "user", content: "Write about Ada.\n" }]);
    expect(assemblePrompt({ ...completion, query: "briefly" }).messages).toEqual([
      { role: "system", content: "Write about Ada.\n" },
      { role: "user", content: "briefly" },
    ]);
    expect(assemblePrompt({ ...completion, modelMode: "completion", query: "q" }).messages).toEqual([{ role: "user", content: "Write about Ada.\nq" }]);
  });

  it("attaches files to the last user message", () => {
    const image = { type: "image_url" as const, image_url: { url: "data:image/png;base64,AA==", detail: "low" as const } };
    const { messages } = assemblePrompt({ ...base, files: [image] });
    expect(messages.at(-1)).toEqual({ role: "user", content: [{ type: "text", text: "hi" }, image] });
  });
});

describe("advanced prompts", () => {
  it("renders chat_prompt_config messages, drops empty system messages, then history and query", () => {
    const { messages } = assemblePrompt({
      ...base,
      promptType: "advanced",
      chatPromptConfig: { prompt: [{ role: "system", text: "Be {{name}}." }, { role: "system", text: "" }, { role: "assistant", text: "Ready." }] },
      history: [{ query: "q1", answer: "a1" }],
    });
    expect(messages).toEqual([
      { role: "system", content: "Be Ada." },
      { role: "assistant", content: "Ready." },
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "hi" },
    ]);
  });

  it("renders completion_prompt_config with histories and query", () => {
    const { messages } = assemblePrompt({
      ...base,
      promptType: "advanced",
      modelMode: "completion",
      completionPromptConfig: { prompt: { text: "{{#histories#}}\nU: {{#query#}} ({{name}})" }, conversation_histories_role: { user_prefix: "U", assistant_prefix: "A" } },
      history: [{ query: "q1", answer: "a1" }],
    });
    expect(messages).toEqual([{ role: "user", content: "U: q1\nA: a1\nU: hi (Ada)" }]);
  });
});
