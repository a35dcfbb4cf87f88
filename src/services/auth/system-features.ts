// GET /api/system-features and /console/api/system-features (spec dify-web-auth.md §7): Dify's
// SystemFeatureModel. Web-app auth is on (we serve the sign-in endpoints the community edition 404s),
// with the two sign-in methods from config; everything enterprise-only keeps its community default.
import type { AuthConfig } from "../../config";

export function systemFeatures(auth: Pick<AuthConfig, "emailPasswordLogin" | "emailCodeLogin">) {
  return {
    deployment_edition: "COMMUNITY",
    enable_app_deploy: false,
    sso_enforced_for_signin: false,
    sso_enforced_for_signin_protocol: null,
    enable_marketplace: false,
    enable_email_code_login: auth.emailCodeLogin,
    enable_email_password_login: auth.emailPasswordLogin,
    enable_social_oauth_login: false,
    enable_collaboration_mode: false,
    is_allow_register: false,
    // Every MAIL_PROVIDER delivers somewhere (the default outbox keeps mail in D1).
    is_email_setup: true,
    // v1.x clients read the extra license keys; newer ones read only `status`.
    license: { status: "none", expired_at: "", workspaces: { enabled: false, size: 0, limit: 0 } },
    branding: { enabled: false, application_title: "", login_page_logo: "", workspace_logo: "", favicon: "" },
    webapp_auth: {
      enabled: true,
      allow_sso: false,
      sso_config: { protocol: null },
      allow_email_code_login: auth.emailCodeLogin,
      allow_email_password_login: auth.emailPasswordLogin,
      allow_public_access: true,
    },
    plugin_installation_permission: { plugin_installation_scope: "all", restrict_to_marketplace_only: false },
    enable_change_email: false,
    enable_creators_platform: false,
    enable_explore_banner: false,
    enable_learn_app: false,
    enable_step_by_step_tour: false,
    rbac_enabled: false,
    knowledge_fs_enabled: false,
  };
}
