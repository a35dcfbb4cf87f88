// parameter-extractor (spec dify-dsl-and-nodes.md §3.13): asks the model for the parameters as one
// JSON object and reads the first complete object in its reply. Both reasoning modes use Dify's
// prompt-engineering prompts: `function_call` needs a model that takes tools, and our provider
// interface carries none, which is Dify's own fallback for such models. A reply that cannot be read
// or fails validation still succeeds, with __is_success 0, the reason, and default values; a model
// that cannot be called fails the node.
import { emptyResult, normalise, parameters, parameterSchema, parametersProblem, validationError } from "../llm/extraction";
import { extractorChatPrompt, extractorCompletionPrompt, type ExtractorInput } from "../llm/extractor-prompts";
import { firstJsonObject } from "../llm/json";
import { historyMessages, historyText, memoryConfig, windowLimit } from "../llm/memory";
import { attachFiles, type PromptMessage, promptsForRecord, promptTokens, text, toChatMessages, visionFiles } from "../llm/messages";
import { historyBudget, modelConfig, modelProblem, outcomeUsage, type PreparedModel, prepareModel, STOPPED } from "../llm/model";
import { toText, type Json } from "../segments";
import { renderVariables } from "../template";
import { NodeError, type NodeDefinition, type NodeRun } from "../types";
import { asSelector } from "../variable-pool";

const NO_RESULT = "Failed to extract result from function call or text response, using empty result.";
// Dify keeps 1000 tokens aside for the examples when it sizes the history.
const EXAMPLE_RESERVE = 1000;

function build(model: PreparedModel, input: ExtractorInput, files: ReturnType<typeof visionFiles>): PromptMessage[] {
  if (model.config.mode === "completion") return attachFiles([text("user", extractorCompletionPrompt(input))], files);
  // Vision files join the text message; the examples go before it, so it stays the last user message.
  const { system, examples, user } = extractorChatPrompt(input);
  const [first, ...rest] = attachFiles([system, user], files);
  return [first, ...examples, ...rest];
}

async function prompt(run: NodeRun, model: PreparedModel, input: ExtractorInput): Promise<PromptMessage[]> {
  const files = visionFiles(run.node.data, run.pool);
  const memory = memoryConfig(run.node.data);
  if (memory && run.services.conversationId) {
    const budget = historyBudget(model, promptTokens(build(model, input, { files: [], detail: "high" })) + EXAMPLE_RESERVE);
    input.histories = historyText(await historyMessages(run.services, windowLimit(memory, false), budget));
  }
  return build(model, input, files);
}

function reasoningModeProblem(data: Json): string | null {
  const mode = data.reasoning_mode;
  return mode === undefined || mode === null || mode === "" || mode === "function_call" || mode === "prompt" ? null : `Reasoning mode ${String(mode)} is not supported.`;
}

export const parameterExtractorNode: NodeDefinition = {
  type: "parameter-extractor",
  check(data) {
    return modelProblem(data) ?? parametersProblem(data) ?? reasoningModeProblem(data);
  },
  async run(run) {
    const { node, pool } = run;
    const config = modelConfig(node.data);
    const list = parameters(node.data);
    const model = await prepareModel(run, config);
    const selector = asSelector(node.data.query);
    const lookup = selector ? pool.get(selector) : { found: false, value: undefined };
    const instruction = typeof node.data.instruction === "string" ? node.data.instruction : "";
    const input: ExtractorInput = { histories: "", instruction: renderVariables(instruction, pool), schema: parameterSchema(list), query: lookup.found ? toText(lookup.value) : "" };
    const messages = await toChatMessages(await prompt(run, model, input), run.services);

    let result: Awaited<ReturnType<PreparedModel["call"]>>;
    try {
      result = await model.call({ messages });
    } catch (err) {
      const failure = err as NodeError;
      if (failure.errorType === STOPPED) throw failure;
      throw new NodeError(failure.message, failure.errorType, { __is_success: 0, __reason: "Failed to invoke model", __error: failure.message });
    }

    const found = firstJsonObject(result.text);
    const reply = found ?? emptyResult(list);
    const reason = validationError(list, reply) ?? (found ? null : NO_RESULT);
    return {
      outputs: { __is_success: reason ? 0 : 1, __reason: reason, __usage: result.usage, ...normalise(list, reply) },
      inputs: { query: input.query, parameters: list as unknown as Json[], instruction, model_provider: config.provider, model_name: config.name },
      processData: {
        model_mode: config.mode,
        prompts: promptsForRecord(messages),
        usage: result.usage,
        function: {},
        tool_call: null,
        llm_text: result.text,
        model_provider: config.provider,
        model_name: config.name,
      },
      usage: outcomeUsage(result.usage),
    };
  },
};
