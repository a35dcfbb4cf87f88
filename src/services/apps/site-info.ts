// GET /api/site and GET /api/meta bodies (spec dify-web-api.md §4.2, §4.3).
import { Forbidden } from "../../lib/errors";
import type { AppContext } from "./app-registry";
import { type FileSigner, signedFileUrl } from "../../lib/file-signing";

type Json = Record<string, unknown>;

export async function siteResponse(ctx: AppContext, endUserId: string | null, signer: FileSigner): Promise<Json> {
  const { app, site, tenant } = ctx;
  if (!site || tenant?.status === "archive") throw new Forbidden();
  const iconUrl = site.iconType === "image" && site.icon ? await signedFileUrl(signer, site.icon) : null;
  return {
    app_id: app.id,
    end_user_id: endUserId,
    enable_site: app.enableSite,
    site: {
      title: site.title,
      chat_color_theme: site.chatColorTheme,
      chat_color_theme_inverted: site.chatColorThemeInverted,
      icon_type: site.iconType,
      icon: site.icon,
      icon_background: site.iconBackground,
      icon_url: iconUrl,
      description: site.description,
      copyright: site.copyright,
      privacy_policy: site.privacyPolicy,
      custom_disclaimer: site.customDisclaimer,
      default_language: site.defaultLanguage,
      prompt_public: site.promptPublic,
      show_workflow_steps: site.showWorkflowSteps,
      use_icon_as_answer_icon: site.useIconAsAnswerIcon,
    },
    model_config: null,
    plan: tenant?.plan ?? "basic",
    can_replace_logo: false,
    custom_config: null,
  };
}

/** Tool entries with at least four keys, from agent_mode.tools or the workflow's tool nodes. */
function toolEntries(ctx: AppContext): Json[] {
  if (ctx.workflow) {
    const nodes = (ctx.workflow.graph as { nodes?: unknown[] }).nodes ?? [];
    return nodes
      .map((n) => (n as { data?: Json }).data)
      .filter((d): d is Json => !!d && d.type === "tool");
  }
  const tools = (ctx.modelConfig?.agentMode as { tools?: unknown[] } | null)?.tools ?? [];
  return tools.filter((t): t is Json => typeof t === "object" && t !== null);
}

export function metaResponse(ctx: AppContext, baseUrl: string): { tool_icons: Record<string, unknown> } {
  const icons: Record<string, unknown> = {};
  for (const tool of toolEntries(ctx)) {
    if (Object.keys(tool).length < 4) continue;
    const name = String(tool.tool_name ?? "");
    if (!name) continue;
    if (tool.provider_type === "builtin") {
      icons[name] = `${baseUrl}/console/api/workspaces/current/tool-provider/builtin/${encodeURIComponent(String(tool.provider_id ?? ""))}/icon`;
    } else if (tool.provider_type === "api") {
      icons[name] = { background: "#252525", content: "\uD83D\uDE01" };
    }
  }
  return { tool_icons: icons };
}
