// GET /api/parameters content (spec dify-web-api.md §4.4, §8): from the model config for easy-UI
// apps, from the published workflow's features and start node for workflow modes.
import type { Config } from "../../config";
import { AppUnavailable } from "../../lib/errors";
import type { AppContext } from "./app-registry";
import { modelConfigToDict } from "./model-config";

type Json = Record<string, unknown>;

export const WORKFLOW_MODES = new Set(["workflow", "advanced-chat"]);

export interface AppFeatures {
  features: Json;
  userInputForm: unknown[];
}

/** Start node variables in Dify's "old structure": [{"<type>": {...variable}}]. */
export function startNodeInputForm(graph: unknown): unknown[] {
  const nodes = (graph as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return [];
  const start = nodes.find((n) => (n as { data?: { type?: unknown } })?.data?.type === "start") as { data?: { variables?: unknown } } | undefined;
  const variables = start?.data?.variables;
  if (!Array.isArray(variables)) return [];
  return variables.map((v) => ({ [String((v as { type?: unknown }).type)]: v }));
}

/** The feature dict and input form of an app; 400 app_unavailable when it has none. */
export function appFeatures(ctx: AppContext): AppFeatures {
  if (WORKFLOW_MODES.has(ctx.app.mode)) {
    if (!ctx.workflow) throw new AppUnavailable();
    return { features: (ctx.workflow.features ?? {}) as Json, userInputForm: startNodeInputForm(ctx.workflow.graph) };
  }
  if (!ctx.modelConfig) throw new AppUnavailable();
  const dict = modelConfigToDict(ctx.modelConfig);
  return { features: dict as unknown as Json, userInputForm: dict.user_input_form };
}

export function appParameters(ctx: AppContext, config: Config): Json {
  const { features, userInputForm } = appFeatures(ctx);
  const get = (key: string, fallback: unknown) => (features[key] === undefined ? fallback : features[key]);
  return {
    opening_statement: get("opening_statement", null),
    suggested_questions: get("suggested_questions", []),
    suggested_questions_after_answer: get("suggested_questions_after_answer", { enabled: false }),
    speech_to_text: get("speech_to_text", { enabled: false }),
    text_to_speech: get("text_to_speech", { enabled: false }),
    retriever_resource: get("retriever_resource", { enabled: false }),
    annotation_reply: get("annotation_reply", { enabled: false }),
    more_like_this: get("more_like_this", { enabled: false }),
    user_input_form: userInputForm,
    sensitive_word_avoidance: get("sensitive_word_avoidance", { enabled: false, type: "", configs: [] }),
    file_upload: get("file_upload", {
      image: { enabled: false, number_limits: 3, detail: "high", transfer_methods: ["remote_url", "local_file"] },
    }),
    system_parameters: {
      image_file_size_limit: config.uploadImageFileSizeLimitMb,
      video_file_size_limit: config.uploadVideoFileSizeLimitMb,
      audio_file_size_limit: config.uploadAudioFileSizeLimitMb,
      file_size_limit: config.uploadFileSizeLimitMb,
      workflow_file_upload_limit: config.workflowFileUploadLimit,
    },
  };
}
