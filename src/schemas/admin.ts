// Request and response shapes of the admin API (ours; documented in README).
import { z } from "zod";
import { PROVIDER_TYPES } from "../llm/registry";

export const providerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "lower-case letters, digits, '_', '.', '-' (at most 64)");

export const putProviderBody = z.strictObject({
  type: z.enum(PROVIDER_TYPES),
  base_url: z.url({ protocol: /^https?$/ }).nullable().optional(),
  api_key: z.string().min(1).max(4096).nullable().optional(),
  config: z.record(z.string(), z.unknown()).nullable().optional().describe("Provider options, e.g. stt_model, tts_model"),
});

export const providerView = z.strictObject({ name: z.string(), type: z.enum(PROVIDER_TYPES), base_url: z.string().nullable() });
export const providerList = z.strictObject({ data: z.array(providerView) });

export const importJsonBody = z.strictObject({
  yaml_content: z.string().min(1).optional().describe("The DSL YAML, when the body is JSON instead of application/yaml"),
});

export const importResult = z.strictObject({
  app_id: z.string(),
  site_code: z.string(),
  mode: z.string(),
  name: z.string(),
  warnings: z.array(z.string()),
});

export const listAppsQuery = z.object({
  page: z.coerce.number().int().min(1).max(100000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const nullableText = (max: number) => z.string().max(max).nullable().optional();

export const patchAppBody = z.strictObject({
  name: z.string().trim().min(1).max(255).optional(),
  description: z.string().max(4000).optional(),
  icon_type: z.enum(["emoji", "image", "link"]).optional(),
  icon: z.string().max(255).optional(),
  icon_background: nullableText(255),
  enable_site: z.boolean().optional(),
  max_active_requests: z.number().int().min(0).nullable().optional(),
  use_icon_as_answer_icon: z.boolean().optional(),
  site: z
    .strictObject({
      title: z.string().trim().min(1).max(255).optional(),
      description: nullableText(4000),
      copyright: nullableText(255),
      privacy_policy: nullableText(255),
      custom_disclaimer: nullableText(512),
      default_language: z.string().min(2).max(32).optional(),
      chat_color_theme: nullableText(255),
      chat_color_theme_inverted: z.boolean().optional(),
      show_workflow_steps: z.boolean().optional(),
      use_icon_as_answer_icon: z.boolean().optional(),
      prompt_public: z.boolean().optional(),
    })
    .optional(),
});
