// The llm node's call (spec §3.4): outputs and usage, streaming as the model writes, reasoning
// formats, structured output, provider failures, retries and stop.
import { describe, expect, it } from "vitest";
import { CompletionRequestError, InvokeRateLimit } from "../../../src/lib/errors";
import { AbortedError } from "../../../src/llm/sse-reader";
import type { LlmProvider, StreamChunk } from "../../../src/llm/types";
import { llmNode } from "../../../src/workflow/nodes/llm";
import { runGraph, runNode, scriptedModel } from "../../helpers/workflow";
import { failingModel, runHeld, servicesWith, withModel } from "./llm-harness";

const data = (extra: Record<string, unknown> = {}) => withModel({ prompt_template: [{ role: "user", text: "{{#sys.query#}}" }], context: { enabled: false }, ...extra });
const values = { sys: { query: "hi" } };

/** start → llm → answer printing the LLM's text (a chatflow). */
function graph(llm: Record<string, unknown>) {
  return {
    nodes: [
      { id: "start", data: { type: "start", title: "Start", variables: [] } },
      { id: "llm", data: { type: "llm", title: "LLM", ...llm } },
      { id: "answer", data: { type: "answer", title: "Answer", answer: "{{#llm.text#}}" } },
    ],
    edges: [
      { id: "e1", source: "start", target: "llm", sourceHandle: "source" },
      { id: "e2", source: "llm", target: "answer", sourceHandle: "source" },
    ],
  };
}

describe("llm outputs", () => {
  it("text, empty reasoning_content, Dify's LLMUsage with the provider's pricing, finish_reason", async () => {
    const model = scriptedModel(["Hello there"]);
    const pricing = { pricing: { input: "0.5", output: "1.5", unit: "0.001", currency: "USD" } };
    const out = await runNode("llm", data(), values, servicesWith(model, {}, pricing));
    expect(Object.keys(out.outputs)).toEqual(["text", "reasoning_content", "usage", "finish_reason"]);
    expect(out.outputs).toMatchObject({ text: "Hello there", reasoning_content: "", finish_reason: null });
    expect(out.outputs.usage).toMatchObject({
      prompt_tokens: 10,
      prompt_unit_price: "0.5000000",
      prompt_price_unit: "0.0010000",
      prompt_price: "0.0050000",
      completion_tokens: 5,
      completion_price: "0.0075000",
      total_tokens: 15,
      total_price: "0.0125000",
      currency: "USD",
    });
    expect(Object.keys(out.outputs.usage as object)).toHaveLength(14);
    expect(out.usage).toEqual({ totalTokens: 15, totalPrice: "0.0125000", currency: "USD" });
    expect(out.streamed.text).toBe("Hello there");
    expect(out.processData).toMatchObject({ model_mode: "chat", prompts: [{ role: "user", text: "hi", files: [] }], model_provider: "langgenius/openai/openai", model_name: "gpt-4o" });
    expect(out.inputs).toMatchObject({ "#sys.query#": "hi", model_name: "gpt-4o" });
  });

  it("estimates tokens when the provider reports none", async () => {
    const llm: LlmProvider = {
      async *stream(): AsyncGenerator<StreamChunk> {
        yield { type: "delta", text: "four" };
      },
    };
    const out = await runNode("llm", data(), values, servicesWith({ llm, calls: [] }));
    expect(out.outputs.usage).toMatchObject({ completion_tokens: 1, total_price: "0.0000000" });
  });

  it("streams each delta to the text output while the model is still writing", async () => {
    const log: string[] = [];
    const llm: LlmProvider = {
      async *stream(): AsyncGenerator<StreamChunk> {
        for (const text of ["one ", "two ", "three"]) {
          log.push(`model:${text}`);
          yield { type: "delta", text };
        }
      },
    };
    const out = await runHeld("llm", data(), values, servicesWith({ llm, calls: [] }), new AbortController().signal, log);
    expect(log).toEqual(["model:one ", "text:one ", "model:two ", "text:two ", "model:three", "text:three"]);
    expect(out.outputs.text).toBe("one two three");
  });
});

describe("llm reasoning_format", () => {
  const reply = "<think>plan it\nfirst</think>\n\nThe answer.";

  it("tagged (default) keeps the think block in the text and the stream", async () => {
    const out = await runNode("llm", data(), values, servicesWith(scriptedModel([reply])));
    expect(out.outputs).toMatchObject({ text: reply, reasoning_content: "" });
    expect(out.streamed.text).toBe(reply);
  });

  it("separated moves it to reasoning_content and keeps it out of the stream, tags split over chunks included", async () => {
    const pieces = ["<thi", "nk>plan", " it</th", "ink>\n\nThe", " answer.", " <", "b>bold</b>"];
    const llm: LlmProvider = {
      async *stream(): AsyncGenerator<StreamChunk> {
        for (const text of pieces) yield { type: "delta", text };
      },
    };
    const out = await runNode("llm", data({ reasoning_format: "separated" }), values, servicesWith({ llm, calls: [] }));
    expect(out.outputs).toMatchObject({ text: "The answer. <b>bold</b>", reasoning_content: "plan it" });
    expect(out.streamed.text).toBe("The answer. <b>bold</b>");
  });

  it("separated: an unclosed think block at the end is reasoning, never text", async () => {
    const out = await runNode("llm", data({ reasoning_format: "separated" }), values, servicesWith(scriptedModel(["Done. <think>still going"])));
    expect(out.outputs).toMatchObject({ text: "Done.", reasoning_content: "still going" });
    expect(out.streamed.text).toBe("Done. ");
  });
});

describe("llm structured output", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
  const structured = (extra = {}) => data({ structured_output_enabled: true, structured_output: { schema }, prompt_template: [{ role: "system", text: "Be brief." }, { role: "user", text: "{{#sys.query#}}" }], ...extra });

  it("asks for JSON in the one system message and parses the reply", async () => {
    const model = scriptedModel(['{"city": "Paris"}']);
    const out = await runNode("llm", structured(), values, servicesWith(model));
    const system = model.calls[0].messages[0];
    expect(system.role).toBe("system");
    expect(system.content).toContain('{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}');
    expect(system.content.endsWith("\n\nBe brief.")).toBe(true);
    expect(model.calls[0].messages.slice(1)).toEqual([{ role: "user", content: "hi" }]);
    expect(out.outputs.structured_output).toEqual({ city: "Paris" });
    expect(out.outputs.text).toBe('{"city": "Paris"}');
  });

  it("repairs what models write: fences, think blocks, trailing commas, single quotes, an unclosed object", async () => {
    for (const [reply, expected] of [
      ['<think>hmm</think>```json\n{"city": "Oslo",}\n```', { city: "Oslo" }],
      ["{'city': 'Rome', 'ok': True}", { city: "Rome", ok: true }],
      ['Sure! {"city": "Lima", "tags": ["a", "b"', { city: "Lima", tags: ["a", "b"] }],
      ['[{"city": "Kyiv"}]', { city: "Kyiv" }],
    ] as const) {
      const out = await runNode("llm", structured(), values, servicesWith(scriptedModel([reply])));
      expect(out.outputs.structured_output).toEqual(expected);
    }
  });

  it("fails the node when there is no JSON, or the schema is not an object", async () => {
    const run = runNode("llm", structured(), values, servicesWith(scriptedModel(["no json here"])));
    await expect(run).rejects.toMatchObject({ message: "Failed to parse structured output: no json here" });
    const badSchema = runNode("llm", structured({ structured_output: { schema: "text" } }), values, servicesWith(scriptedModel()));
    await expect(badSchema).rejects.toMatchObject({ message: "structured_output_schema must be a JSON object" });
  });

  it("is off unless enabled: no instruction, no structured_output", async () => {
    const model = scriptedModel(['{"city": "Paris"}']);
    const out = await runNode("llm", structured({ structured_output_enabled: false }), values, servicesWith(model));
    expect(model.calls[0].messages[0]).toEqual({ role: "system", content: "Be brief." });
    expect(out.outputs).not.toHaveProperty("structured_output");
  });
});

describe("llm failures", () => {
  it("a provider error is the node's error, with Dify's error type", async () => {
    const error = new CompletionRequestError("[openai] Completion request failed (HTTP 500): upstream broke");
    await expect(runNode("llm", data(), values, servicesWith(failingModel(error)))).rejects.toMatchObject({ message: error.message, errorType: "InvokeError" });
    const limited = new InvokeRateLimit("Rate Limit Error: slow down");
    await expect(runNode("llm", data(), values, servicesWith(failingModel(limited)))).rejects.toMatchObject({ errorType: "InvokeRateLimitError" });
  });

  it("fails the run with the provider's message; retry_config runs it again", async () => {
    const error = new CompletionRequestError("[openai] The model stream ended before the model finished its answer.");
    const failed = await runGraph(graph(data()), { sys: values.sys, services: servicesWith(failingModel(error)) });
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe(error.message);

    let calls = 0;
    const flaky: LlmProvider = {
      async *stream(): AsyncGenerator<StreamChunk> {
        if (calls++ === 0) throw error;
        yield { type: "delta", text: "second try" };
      },
    };
    const retried = await runGraph(graph(data({ retry_config: { retry_enabled: true, max_retries: 2, retry_interval: 1 } })), { sys: values.sys, services: servicesWith({ llm: flaky, calls: [] }) });
    expect(retried.status).toBe("succeeded");
    expect(retried.text).toBe("second try");
    expect(retried.events.filter((e) => e.event === "node_retry")).toHaveLength(1);
  });

  it("stop aborts the call: the provider sees the signal and the node ends as stopped", async () => {
    const controller = new AbortController();
    let seen: AbortSignal | null = null;
    const llm: LlmProvider = {
      async *stream(request): AsyncGenerator<StreamChunk> {
        seen = request.signal;
        yield { type: "delta", text: "partial " };
        controller.abort();
        if (request.signal.aborted) throw new AbortedError();
        yield { type: "delta", text: "never" };
      },
    };
    const held = runHeld("llm", data(), values, servicesWith({ llm, calls: [] }), controller.signal);
    await expect(held).rejects.toMatchObject({ errorType: "WorkflowStoppedError" });
    expect(seen!.aborted).toBe(true);

    const graphController = new AbortController();
    const quiet = scriptedModel([() => (graphController.abort(), "a b c")]);
    const run = await runGraph(graph(data()), { sys: values.sys, services: servicesWith(quiet), signal: graphController.signal });
    expect(run.status).toBe("stopped");
  });
});

describe("llm check", () => {
  it("names configs that can never run", () => {
    expect(llmNode.check!(data())).toBeNull();
    expect(llmNode.check!({ prompt_template: [] })).toBe("No model is configured.");
    expect(llmNode.check!(withModel({ prompt_template: [] }, { provider: "" }))).toBe("No model provider is configured.");
    expect(llmNode.check!(withModel({ prompt_template: [] }, { name: "" }))).toBe("No model name is configured.");
    expect(llmNode.check!(withModel({}))).toBe("The prompt template is missing.");
    expect(llmNode.check!(data({ structured_output_enabled: true, structured_output: { schema: [] } }))).toBe("structured_output_schema must be a JSON object");
  });
});
