// Wire shapes of the passport and app-info endpoints (spec dify-web-api.md §4.1–4.4). Strict, so
// tests that parse responses with them prove the exact key sets.
import { z } from "zod";

const feature = z.looseObject({ enabled: z.boolean() });

export const passportResponse = z.strictObject({ access_token: z.string() });

export const siteResponse = z.strictObject({
  app_id: z.string(),
  end_user_id: z.string().nullable(),
  enable_site: z.boolean(),
  site: z.strictObject({
    title: z.string(),
    chat_color_theme: z.string().nullable(),
    chat_color_theme_inverted: z.boolean(),
    icon_type: z.enum(["emoji", "image", "link"]).nullable(),
    icon: z.string().nullable(),
    icon_background: z.string().nullable(),
    icon_url: z.string().nullable(),
    description: z.string().nullable(),
    copyright: z.string().nullable(),
    privacy_policy: z.string().nullable(),
    custom_disclaimer: z.string().nullable(),
    default_language: z.string(),
    prompt_public: z.boolean(),
    show_workflow_steps: z.boolean(),
    use_icon_as_answer_icon: z.boolean(),
  }),
  model_config: z.null(),
  plan: z.string(),
  can_replace_logo: z.boolean(),
  custom_config: z.strictObject({ remove_webapp_brand: z.boolean(), replace_webapp_logo: z.string().nullable() }).nullable(),
});

export const metaResponse = z.strictObject({ tool_icons: z.record(z.string(), z.unknown()) });

export const parametersResponse = z.strictObject({
  opening_statement: z.string().nullable(),
  suggested_questions: z.array(z.string()),
  suggested_questions_after_answer: feature,
  speech_to_text: feature,
  text_to_speech: feature,
  retriever_resource: feature,
  annotation_reply: feature,
  more_like_this: feature,
  user_input_form: z.array(z.record(z.string(), z.looseObject({}))),
  sensitive_word_avoidance: z.looseObject({}),
  file_upload: z.looseObject({}),
  system_parameters: z.strictObject({
    image_file_size_limit: z.number().int(),
    video_file_size_limit: z.number().int(),
    audio_file_size_limit: z.number().int(),
    file_size_limit: z.number().int(),
    workflow_file_upload_limit: z.number().int(),
  }),
});
