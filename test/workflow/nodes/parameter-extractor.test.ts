// parameter-extractor (spec §3.13): the prompt, reading and validating the reply, defaults.
import { describe, expect, it } from "vitest";
import { CompletionRequestError } from "../../../src/lib/errors";
import { parameterExtractorNode } from "../../../src/workflow/nodes/parameter-extractor";
import { runNode, scriptedModel } from "../../helpers/workflow";
import { failingModel, file, servicesWith, withModel } from "./llm-harness";

const PARAMETERS = [
  { name: "city", type: "string", description: "Stadt, in der es regnet", required: true },
  { name: "days", type: "number", description: "How many days", required: false },
  { name: "unit", type: "select", options: ["C", "F"], description: "Unit", required: false },
];
const data = (extra: Record<string, unknown> = {}) =>
  withModel({ query: ["sys", "query"], parameters: PARAMETERS, instruction: "Prefer {{#start.lang#}}", reasoning_mode: "prompt", vision: { enabled: false }, ...extra });
const values = { sys: { query: "Weather in Paris for 3 days, in C" }, start: { lang: "French" } };

async function extract(reply: string, extra: Record<string, unknown> = {}) {
  const model = scriptedModel([reply]);
  const out = await runNode("parameter-extractor", data(extra), values, servicesWith(model));
  return { outputs: out.outputs, out, messages: model.calls[0].messages };
}

const SCHEMA =
  '{"type": "object", "properties": {"city": {"description": "Stadt, in der es regnet", "type": "string"}, "days": {"description": "How many days", "type": "number"}, "unit": {"description": "Unit", "type": "string", "enum": ["C", "F"]}}, "required": ["city"]}';

describe("parameter-extractor prompt", () => {
  it("system with the instruction, two example exchanges, then the schema (ASCII JSON) and the text", async () => {
    const { messages } = await extract('{"city": "Paris", "days": 3, "unit": "C"}');
    expect(messages.map((m: { role: string }) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
    expect(messages[0].content).toContain("<instructions>\nPrefer French\n</instructions>");
    expect(messages[0].content).toContain("<histories>\n\n</histories>");
    expect(messages[2].content).toBe('{"city": "Oslo"}');
    expect(messages[5].content).toContain(`<structure>\n${SCHEMA}\n</structure>`);
    expect(messages[5].content).toContain("<text>\nWeather in Paris for 3 days, in C\n</text>");
  });

  it("escapes non-ASCII in the schema as Python's json.dumps does", async () => {
    const { messages } = await extract("{}", { parameters: [{ name: "ort", type: "string", description: "Größe 😀", required: false }] });
    expect(messages[5].content).toContain('"description": "Gr\\u00f6\\u00dfe \\ud83d\\ude00"');
  });

  it("function_call mode asks the same way: the provider interface carries no tools", async () => {
    const prompt = await extract("{}");
    const fc = await extract("{}", { reasoning_mode: "function_call" });
    expect(fc.messages).toEqual(prompt.messages);
  });

  it("completion models get one prompt ending where the JSON starts", async () => {
    const { messages } = await extract("{}", { model: { provider: "openai", name: "m", mode: "completion", completion_params: {} } });
    expect(messages).toHaveLength(1);
    expect(messages[0].content).toContain(`<information to be extracted>\n${SCHEMA}\n</information to be extracted>`);
    expect(messages[0].content.endsWith("```JSON")).toBe(true);
  });

  it("vision files join the text message, which stays last after the examples; memory fills the histories", async () => {
    const model = scriptedModel(["{}"]);
    const history = async () => [{ query: "before", answer: "noted" }];
    await runNode("parameter-extractor", data({ vision: { enabled: true }, memory: { window: { enabled: false, size: 3 } } }), { ...values, sys: { ...values.sys, files: [file("img")] } }, servicesWith(model, { history, conversationId: "c" }));
    const messages = model.calls[0].messages;
    expect(messages[0].content).toContain("<histories>\nHuman: before\nAssistant: noted\n</histories>");
    expect(messages[5].content[0]).toEqual({ type: "image_url", image_url: { url: `data:image/png;base64,${btoa("img")}`, detail: "high" } });
    expect(messages[5].content[1].text).toContain("<text>\nWeather in Paris");
  });
});

describe("parameter-extractor result", () => {
  it("the first JSON object in the reply, every parameter, __is_success 1, __reason null, __usage", async () => {
    const { outputs, out } = await extract('Here you go: {"city": "Paris", "days": 3, "unit": "C"} and {"city": "Lyon"}');
    expect(outputs).toMatchObject({ __is_success: 1, __reason: null, city: "Paris", days: 3, unit: "C" });
    expect(Object.keys(outputs)).toEqual(["__is_success", "__reason", "__usage", "city", "days", "unit"]);
    expect(outputs.__usage).toMatchObject({ total_tokens: 15 });
    expect(out.usage).toMatchObject({ totalTokens: 15 });
    // Braces inside strings are text, not structure.
    expect((await extract('{"city": "Pa}ris", "days": 1, "unit": "F"}')).outputs).toMatchObject({ __is_success: 1, city: "Pa}ris" });
  });

  it("no JSON object: defaults and Dify's reason; with a list parameter, the count check speaks", async () => {
    const scalars = PARAMETERS.slice(0, 2);
    expect((await extract("I could not find anything.", { parameters: scalars })).outputs).toEqual({
      __is_success: 0,
      __reason: "Failed to extract result from function call or text response, using empty result.",
      __usage: expect.any(Object),
      city: "",
      days: 0,
    });
    // Dify validates its own defaults too: "" is no option of a select.
    expect((await extract("nothing")).outputs).toMatchObject({ __reason: "Invalid `select` value for parameter unit", city: "", days: 0, unit: "" });
    const withList = await extract("nothing", { parameters: [...PARAMETERS, { name: "tags", type: "array[string]", description: "", required: false }] });
    expect(withList.outputs).toMatchObject({ __is_success: 0, __reason: "Invalid number of parameters", tags: [] });
  });

  it("validation failures keep the values that convert and give the reason", async () => {
    expect((await extract('{"city": "Paris", "days": 3}')).outputs).toMatchObject({ __is_success: 0, __reason: "Invalid number of parameters", unit: "" });
    expect((await extract('{"town": "Paris", "days": 3, "unit": "C"}')).outputs).toMatchObject({ __reason: "Parameter city is required", city: "" });
    expect((await extract('{"city": "Paris", "days": 3, "unit": "K"}')).outputs).toMatchObject({ __reason: "Invalid `select` value for parameter unit", unit: "K" });
    expect((await extract('{"city": "Paris", "days": "3", "unit": "C"}')).outputs).toMatchObject({
      __is_success: 0,
      __reason: "Invalid value for parameter days, expected segment type: number, actual_type: string, python_type: <class 'str'>, value: 3",
      days: 3,
    });
  });

  it("converts values as Dify does, defaults for what does not convert", async () => {
    const parameters = [
      { name: "n", type: "number", description: "", required: false },
      { name: "f", type: "number", description: "", required: false },
      { name: "b", type: "bool", description: "", required: false },
      { name: "s", type: "string", description: "", required: false },
      { name: "nums", type: "array[number]", description: "", required: false },
      { name: "flags", type: "array[boolean]", description: "", required: false },
      { name: "objs", type: "array[object]", description: "", required: false },
      { name: "words", type: "array[string]", description: "", required: false },
    ];
    const reply = '{"n": true, "f": "2.5", "b": 0, "s": 12, "nums": [1, "2", "x", false], "flags": [true, 1], "objs": [{"a": 1}, 2], "words": "not a list"}';
    const { outputs } = await extract(reply, { parameters });
    expect(outputs).toMatchObject({ n: 1, f: 2.5, b: false, s: "", nums: [1, 2, 0], flags: [true], objs: [{ a: 1 }], words: [] });
    expect(outputs.__is_success).toBe(0);
  });

  it("a model that cannot be called fails the node, with Dify's failure outputs", async () => {
    const error = new CompletionRequestError("[openai] Completion request failed (HTTP 500)");
    await expect(runNode("parameter-extractor", data(), values, servicesWith(failingModel(error)))).rejects.toMatchObject({
      message: error.message,
      outputs: { __is_success: 0, __reason: "Failed to invoke model", __error: error.message },
    });
  });
});

describe("parameter-extractor check", () => {
  it("names configs that can never run", () => {
    expect(parameterExtractorNode.check!(data())).toBeNull();
    expect(parameterExtractorNode.check!(data({ parameters: [] }))).toBe("No parameters are configured.");
    expect(parameterExtractorNode.check!(data({ parameters: [{ name: "__reason", type: "string" }] }))).toBe("Invalid parameter name, __reason and __is_success are reserved");
    expect(parameterExtractorNode.check!(data({ parameters: [{ name: "", type: "string" }] }))).toBe("Parameter name is required");
    expect(parameterExtractorNode.check!(data({ parameters: [{ name: "x", type: "file" }] }))).toBe("type file is not allowed in the Parameter Extractor node.");
    expect(parameterExtractorNode.check!(data({ reasoning_mode: "magic" }))).toBe("Reasoning mode magic is not supported.");
    expect(parameterExtractorNode.check!(withModel({ parameters: PARAMETERS }, { provider: "" }))).toBe("No model provider is configured.");
  });
});
