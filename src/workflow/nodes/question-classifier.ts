// question-classifier (spec dify-dsl-and-nodes.md §3.14): asks the model which class the input
// belongs to with Dify's few-shot prompt, reads its JSON reply (think blocks stripped), and takes the
// branch of that class; a category the node does not have means the first class (Dify's fallback). A
// reply with no readable JSON fails the node, as it does in Dify. Outputs class_name, class_id,
// class_label (1.14.2; "CLASS n" when a class has no label) and usage; the branch handle is the class id.
import { isObject } from "../../lib/json";
import { pyStr } from "../../llm/template";
import { classifierChatPrompt, classifierCompletionPrompt, type ClassifierInput } from "../llm/classifier-prompts";
import { parseJsonBlock, ReplyParseError } from "../llm/json";
import { historyMessages, historyText, memoryConfig, windowLimit } from "../llm/memory";
import { attachFiles, promptsForRecord, promptTokens, text, toChatMessages, visionFiles } from "../llm/messages";
import { historyBudget, modelConfig, modelProblem, outcomeUsage, type PreparedModel, prepareModel } from "../llm/model";
import { stripThink } from "../llm/reasoning";
import { pyJson, type Json } from "../segments";
import { renderVariables } from "../template";
import { NodeError, type NodeDefinition, type NodeRun } from "../types";
import { asSelector } from "../variable-pool";

interface Category {
  id: string;
  name: string;
  label: string;
}

function classes(data: Json): Category[] {
  return (Array.isArray(data.classes) ? data.classes : []).filter(isObject).map((c) => ({
    id: String(c.id ?? ""),
    name: typeof c.name === "string" ? c.name : "",
    label: typeof c.label === "string" ? c.label : "",
  }));
}

function classesProblem(data: Json): string | null {
  const list = Array.isArray(data.classes) ? data.classes : [];
  if (!list.length) return "No classes are configured.";
  if (list.some((c) => !isObject(c) || typeof c.id !== "string" || !c.id || typeof c.name !== "string")) return "Every class needs an id and a name.";
  return null;
}

const withLabel = (category: Category, index: number): Category => ({ ...category, label: category.label || `CLASS ${index + 1}` });

/** The class the reply names; the first class when it names none of ours. */
function chosenClass(categories: Category[], reply: string): Category {
  let answer: Json;
  try {
    answer = parseJsonBlock(stripThink(reply));
  } catch (err) {
    if (err instanceof ReplyParseError) throw new NodeError(err.message, err.errorType);
    throw err;
  }
  const index = "category_name" in answer && "category_id" in answer ? categories.findIndex((c) => c.id === answer.category_id) : -1;
  return index === -1 ? withLabel(categories[0], 0) : withLabel(categories[index], index);
}

/** The input text as Dify formats it into the prompt (Python str of the value; nothing for a missing or empty one). */
function inputText(run: NodeRun): { value: unknown; text: string } {
  const selector = asSelector(run.node.data.query_variable_selector);
  const value = selector ? run.pool.get(selector).value : undefined;
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return { value: value ?? null, text: "" };
  return { value, text: typeof value === "string" ? value : pyStr(value) };
}

async function prompt(run: NodeRun, model: PreparedModel, input: ClassifierInput) {
  const build = () => (model.config.mode === "completion" ? [text("user", classifierCompletionPrompt(input))] : classifierChatPrompt(input));
  const memory = memoryConfig(run.node.data);
  // Memory needs a conversation; the history fills what the model's context leaves after the prompt.
  if (memory && run.services.conversationId) {
    const budget = historyBudget(model, promptTokens(build()));
    input.histories = historyText(await historyMessages(run.services, windowLimit(memory, false), budget));
  }
  return attachFiles(build(), visionFiles(run.node.data, run.pool));
}

export const questionClassifierNode: NodeDefinition = {
  type: "question-classifier",
  check(data) {
    return modelProblem(data) ?? classesProblem(data);
  },
  async run(run) {
    const { node, pool } = run;
    const config = modelConfig(node.data);
    const categories = classes(node.data).map((c) => ({ ...c, name: renderVariables(c.name, pool) }));
    if (!categories.length) throw new NodeError("No classes are configured.", "QuestionClassifierNodeError");
    const model = await prepareModel(run, config);
    const query = inputText(run);
    const input: ClassifierInput = {
      histories: "",
      input: query.text,
      categories: pyJson(categories.map((c) => ({ category_id: c.id, category_name: c.name }))),
      instruction: renderVariables(typeof node.data.instruction === "string" ? node.data.instruction : "", pool),
    };
    const messages = await toChatMessages(await prompt(run, model, input), run.services);
    const result = await model.call({ messages });
    const chosen = chosenClass(categories, result.text);
    return {
      outputs: { class_name: chosen.name, class_label: chosen.label, class_id: chosen.id, usage: result.usage },
      handle: chosen.id,
      inputs: { query: query.value, model_provider: config.provider, model_name: config.name },
      processData: {
        model_mode: config.mode,
        prompts: promptsForRecord(messages),
        usage: result.usage,
        finish_reason: result.finishReason,
        model_provider: config.provider,
        model_name: config.name,
      },
      usage: outcomeUsage(result.usage),
    };
  },
};
