// llm (spec dify-dsl-and-nodes.md §3.4): one model call on the prompt llm-prompt.ts builds, its text
// streamed as it arrives to the answers and End nodes that print it. Outputs text, reasoning_content,
// usage (Dify's LLMUsage), finish_reason, and structured_output when that is on. A provider failure
// fails the node with the provider's message (the engine then retries, or applies the node's error
// strategy); a stop aborts the call.
import { isObject } from "../../lib/json";
import { llmPrompt, templateMessages } from "../llm/llm-prompt";
import { promptsForRecord, toChatMessages } from "../llm/messages";
import { modelConfig, modelProblem, outcomeUsage, prepareModel } from "../llm/model";
import { reasoningFormat, splitReasoning, ThinkFilter } from "../llm/reasoning";
import { readStructuredOutput, schemaProblem, structuredSchema, withSchemaInstruction } from "../llm/structured-output";
import type { Json } from "../segments";
import type { NodeDefinition } from "../types";

export const llmNode: NodeDefinition = {
  type: "llm",
  streams: ["text"],
  retries: true,
  check(data) {
    return modelProblem(data) ?? (templateMessages(data) ? null : "The prompt template is missing.") ?? schemaProblem(data);
  },
  async run(run) {
    const data = run.node.data;
    const model = await prepareModel(run, modelConfig(data));
    const prompt = await llmPrompt(run, model);
    const schema = structuredSchema(data);
    const messages = await toChatMessages(schema ? withSchemaInstruction(prompt.messages, schema) : prompt.messages, run.services);

    // separated: think blocks never reach the stream (1.14.2); tagged: the model's text as it is.
    const format = reasoningFormat(data.reasoning_format);
    const filter = format === "separated" ? new ThinkFilter() : null;
    const send = (chunk: string) => {
      if (chunk) run.stream("text", chunk);
    };
    const result = await model.call({ messages, onDelta: (delta) => send(filter ? filter.feed(delta) : delta) });
    if (filter) send(filter.finish());

    const { text, reasoning } = splitReasoning(result.text, format);
    const outputs: Json = { text, reasoning_content: reasoning, usage: result.usage, finish_reason: result.finishReason };
    // The JSON is read without any think block, whichever format the text keeps.
    if (schema) outputs.structured_output = readStructuredOutput(splitReasoning(result.text, "separated").text);
    return {
      outputs,
      inputs: prompt.inputs,
      processData: {
        model_mode: isObject(data.model) && data.model.mode === "completion" ? "completion" : "chat",
        prompts: promptsForRecord(messages),
        usage: result.usage,
        finish_reason: result.finishReason,
        model_provider: model.config.provider,
        model_name: model.config.name,
      },
      usage: outcomeUsage(result.usage),
    };
  },
};
