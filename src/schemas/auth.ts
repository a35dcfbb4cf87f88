// Request and response shapes of the web-app sign-in endpoints (spec dify-web-auth.md §4). Responses are
// strict, so tests that parse them prove the exact key sets. Request objects are not strict: Dify's
// client sends extra keys (`language`, `remember_me`).
import { z } from "zod";
import { ACCESS_MODES } from "../services/auth/access-control";
import { PASSWORD_MAX_LENGTH, PASSWORD_RULE, PASSWORD_RULE_MESSAGE } from "../services/auth/passwords";

// libs/helper.email: word characters (Unicode, as Python's \w) and RFC 5322 specials, one or more
// dot-terminated labels, a final label of at least two characters.
const EMAIL_RULE = /^[\p{L}\p{N}\p{M}_.!#$%&'*+\-/=?^`{|}~]+@(?:[\p{L}\p{N}\p{M}_-]+\.)+[\p{L}\p{N}\p{M}_-]{2,}$/u;

export const emailField = z
  .string()
  .max(320)
  .regex(EMAIL_RULE, { error: (issue) => `${String(issue.input)} is not a valid email.` })
  .describe("Email address (compared case-insensitively)");

export const passwordField = z
  .string()
  .max(PASSWORD_MAX_LENGTH, PASSWORD_RULE_MESSAGE)
  .regex(PASSWORD_RULE, PASSWORD_RULE_MESSAGE)
  .describe("At least 8 characters with a letter and a digit");

const language = z.string().max(32).optional().describe('"zh-Hans" for Chinese mail, anything else English');
const tokenField = z.string().min(1).max(256).describe("Token returned by the previous step");
const codeField = z.string().min(1).max(64);

export const loginBody = z.object({
  email: emailField,
  password: z.string().min(1).max(1024).describe("The password, base64-encoded (UTF-8) as Dify's client sends it"),
  language,
  remember_me: z.boolean().optional(),
});

export const sendCodeBody = z.object({ email: emailField, language });

export const codeLoginBody = z.object({
  email: emailField,
  code: codeField.describe("The 6-digit code, base64-encoded as Dify's client sends it"),
  token: tokenField,
});

export const resetValidityBody = z.object({ email: emailField, code: codeField.describe("The 6-digit code (plain, not base64)"), token: tokenField });

export const resetBody = z.object({ token: tokenField, new_password: passwordField, password_confirm: passwordField });

// No length limits: /login/status must answer 200 to anything (an unknown code just reads as false).
export const loginStatusQuery = z.object({
  app_code: z.string().optional().describe("Share code of the app"),
  user_id: z.string().optional().describe("End-user session id (sys.user_id)"),
});

export const accessModeQuery = z.object({
  appId: z.string().max(64).optional(),
  appCode: z.string().max(255).optional().describe("Wins over appId when both are given"),
});

export const permissionQuery = z.object({ appId: z.string().max(64).optional() });

export const loginResponse = z.strictObject({ result: z.literal("success"), data: z.strictObject({ access_token: z.string() }) });
export const sendCodeResponse = z.strictObject({ result: z.literal("success"), data: z.string().describe("Token for the next step") });
export const successResponse = z.strictObject({ result: z.literal("success") });
export const loginStatusResponse = z.strictObject({ logged_in: z.boolean(), app_logged_in: z.boolean() });
export const resetValidityResponse = z.strictObject({ is_valid: z.literal(true), email: z.string(), token: z.string() });
export const accessModeResponse = z.strictObject({ accessMode: z.enum(ACCESS_MODES) });
export const permissionResponse = z.strictObject({ result: z.boolean() });

export const systemFeaturesResponse = z.strictObject({
  deployment_edition: z.string(),
  enable_app_deploy: z.boolean(),
  sso_enforced_for_signin: z.boolean(),
  sso_enforced_for_signin_protocol: z.string().nullable(),
  enable_marketplace: z.boolean(),
  enable_email_code_login: z.boolean(),
  enable_email_password_login: z.boolean(),
  enable_social_oauth_login: z.boolean(),
  enable_collaboration_mode: z.boolean(),
  is_allow_register: z.boolean(),
  is_email_setup: z.boolean(),
  license: z.strictObject({
    status: z.string(),
    expired_at: z.string(),
    workspaces: z.strictObject({ enabled: z.boolean(), size: z.number().int(), limit: z.number().int() }),
  }),
  branding: z.strictObject({
    enabled: z.boolean(),
    application_title: z.string(),
    login_page_logo: z.string(),
    workspace_logo: z.string(),
    favicon: z.string(),
  }),
  webapp_auth: z.strictObject({
    enabled: z.boolean(),
    allow_sso: z.boolean(),
    sso_config: z.strictObject({ protocol: z.string().nullable() }),
    allow_email_code_login: z.boolean(),
    allow_email_password_login: z.boolean(),
    allow_public_access: z.boolean(),
  }),
  plugin_installation_permission: z.strictObject({ plugin_installation_scope: z.string(), restrict_to_marketplace_only: z.boolean() }),
  enable_change_email: z.boolean(),
  enable_creators_platform: z.boolean(),
  enable_explore_banner: z.boolean(),
  enable_learn_app: z.boolean(),
  enable_step_by_step_tour: z.boolean(),
  rbac_enabled: z.boolean(),
  knowledge_fs_enabled: z.boolean(),
});
