// Reading model replies: the three JSON readings and the think-tag rules, on their own.
import { describe, expect, it } from "vitest";
import { firstJsonObject, parseJsonBlock, parseStructuredOutput } from "../../../src/workflow/llm/json";
import { splitReasoning, stripThink, ThinkFilter } from "../../../src/workflow/llm/reasoning";

const stream = (pieces: string[]) => {
  const filter = new ThinkFilter();
  return pieces.map((p) => filter.feed(p)).join("") + filter.finish();
};

describe("think tags", () => {
  it("the stream filter holds back only what could still be a tag", () => {
    expect(stream(["a <", "b> c"])).toBe("a <b> c");
    expect(stream(["x <thin", "g> y"])).toBe("x <thing> y");
    expect(stream(['<think mode="deep">', "secret", "</thi", "nk>", "  shown"])).toBe("shown");
    expect(stream(["keep <think>dropped"])).toBe("keep ");
    expect(stream(["ends with <thi"])).toBe("ends with <thi");
  });

  it("split: several blocks, case, blank-line runs", () => {
    expect(splitReasoning("<THINK>a</THINK>one\n\n\n\ntwo<think> b </think>", "separated")).toEqual({ text: "one\n\ntwo", reasoning: "a\nb" });
    expect(splitReasoning("<think>a</think>x", "tagged")).toEqual({ text: "<think>a</think>x", reasoning: "" });
    expect(stripThink('<think>{"category_id": 1}</think>{"ok": 1}')).toBe('{"ok": 1}');
  });
});

describe("JSON in replies", () => {
  it("classifier: fenced or bare, a one-object list unwrapped", () => {
    expect(parseJsonBlock('Sure:\n```json\n{"a": 1}\n```\nbye')).toEqual({ a: 1 });
    expect(parseJsonBlock('`{"a": 2}`')).toEqual({ a: 2 });
    expect(parseJsonBlock('[{"a": 3}]')).toEqual({ a: 3 });
    expect(parseJsonBlock("```\n[{\"a\": 4}]\n```")).toEqual({ a: 4 });
    expect(() => parseJsonBlock("no json")).toThrow("could not find json block in the output.");
  });

  it("extractor: the first complete object, skipping what does not parse", () => {
    expect(firstJsonObject('x [1, 2] {"a": {"b": [1]}} {"c": 3}')).toEqual({ a: { b: [1] } });
    expect(firstJsonObject('{broken} then {"ok": "a \\" } quote"}')).toEqual({ ok: 'a " } quote' });
    expect(firstJsonObject('{"never": "closed"')).toBeNull();
  });

  it("structured output: strict, or repaired", () => {
    expect(parseStructuredOutput('{"a": 1}')).toEqual({ a: 1 });
    expect(parseStructuredOutput('// note\n{a: 1, /* c */ "b": None, "s": "x\\ny\\u00e9", \'t\': [1, 2,],}')).toEqual({ a: 1, b: null, s: "x\nyé", t: [1, 2] });
    expect(parseStructuredOutput('{"text": "unterminated')).toEqual({ text: "unterminated" });
    expect(parseStructuredOutput("[1, 2]")).toEqual({});
    expect(() => parseStructuredOutput("42")).toThrow("Failed to parse structured output: 42");
  });
});
