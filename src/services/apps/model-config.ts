// The easy-UI model config as Dify's AppModelConfig.to_dict() reads it: NULL columns read back as
// defaults (spec dify-dsl-and-nodes.md §1.9). Note retriever_resource reads as enabled when NULL.
import type { AppModelConfig } from "../../db/schema";
import { isObject } from "../../lib/json";

type Json = Record<string, unknown>;

export const DEFAULT_FILE_UPLOAD: Json = {
  image: { enabled: false, number_limits: 3, detail: "high", transfer_methods: ["remote_url", "local_file"] },
};

export interface ModelConfigDict {
  opening_statement: string | null;
  suggested_questions: string[];
  suggested_questions_after_answer: Json;
  speech_to_text: Json;
  text_to_speech: Json;
  retriever_resource: Json;
  annotation_reply: Json;
  more_like_this: Json;
  sensitive_word_avoidance: Json;
  external_data_tools: unknown[];
  model: Json;
  user_input_form: unknown[];
  dataset_query_variable: string | null;
  pre_prompt: string | null;
  agent_mode: Json;
  prompt_type: string;
  chat_prompt_config: Json;
  completion_prompt_config: Json;
  dataset_configs: Json;
  file_upload: Json;
}

const orDefault = <T>(value: unknown, fallback: T, accept: (v: unknown) => boolean = isObject): T =>
  accept(value) ? (value as T) : fallback;

export function modelConfigToDict(row: AppModelConfig): ModelConfigDict {
  const datasetConfigs = isObject(row.datasetConfigs)
    ? "retrieval_model" in row.datasetConfigs
      ? row.datasetConfigs
      : { retrieval_model: "single" }
    : { retrieval_model: "multiple" };
  return {
    opening_statement: row.openingStatement ?? null,
    suggested_questions: orDefault(row.suggestedQuestions, [], Array.isArray),
    suggested_questions_after_answer: orDefault(row.suggestedQuestionsAfterAnswer, { enabled: false }),
    speech_to_text: orDefault(row.speechToText, { enabled: false }),
    text_to_speech: orDefault(row.textToSpeech, { enabled: false }),
    retriever_resource: orDefault(row.retrieverResource, { enabled: true }),
    // Annotation replies are a console feature this API does not host.
    annotation_reply: { enabled: false },
    more_like_this: orDefault(row.moreLikeThis, { enabled: false }),
    sensitive_word_avoidance: orDefault(row.sensitiveWordAvoidance, { enabled: false, type: "", config: {} }),
    external_data_tools: orDefault(row.externalDataTools, [], Array.isArray),
    model: orDefault(row.model, {}),
    user_input_form: orDefault(row.userInputForm, [], Array.isArray),
    dataset_query_variable: row.datasetQueryVariable ?? null,
    pre_prompt: row.prePrompt ?? null,
    agent_mode: orDefault(row.agentMode, { enabled: false, strategy: null, tools: [], prompt: null }),
    prompt_type: row.promptType || "simple",
    chat_prompt_config: orDefault(row.chatPromptConfig, {}),
    completion_prompt_config: orDefault(row.completionPromptConfig, {}),
    dataset_configs: datasetConfigs,
    file_upload: orDefault(row.fileUpload, DEFAULT_FILE_UPLOAD),
  };
}

/** A falsy value ({} [] "" null) is stored as NULL, as Dify's from_model_config_dict does. */
export function storedJson<T>(value: unknown): T | null {
  if (value === null || value === undefined || value === "" || value === false) return null;
  if (Array.isArray(value) && value.length === 0) return null;
  if (isObject(value) && Object.keys(value).length === 0) return null;
  return value as T;
}

/**
 * The model and features the web API's own calls use (conversation titles, suggested questions):
 * an easy-UI app's config, or for workflow apps the published workflow's features with the first LLM
 * node's model (Dify uses the tenant's default model there; here DEFAULT_MODEL_PROVIDER when the
 * graph has no LLM node).
 */
export function auxiliaryModelConfig(
  app: { modelConfig: AppModelConfig | null; workflow: { graph: unknown; features: unknown } | null },
  defaultProvider: string,
): { model: Json; suggested_questions_after_answer: Json } | null {
  if (app.modelConfig) return modelConfigToDict(app.modelConfig);
  if (!app.workflow) return null;
  const nodes = (app.workflow.graph as { nodes?: { data?: Json }[] } | null)?.nodes ?? [];
  const llm = nodes.find((n) => n.data?.type === "llm")?.data?.model;
  const features = (isObject(app.workflow.features) ? app.workflow.features : {}) as Json;
  return {
    model: isObject(llm) ? llm : { provider: defaultProvider, name: defaultProvider, mode: "chat" },
    suggested_questions_after_answer: isObject(features.suggested_questions_after_answer) ? features.suggested_questions_after_answer : { enabled: false },
  };
}
