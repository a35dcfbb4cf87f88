// Admin reads and writes of apps (our admin API, not Dify's): list, get, update, delete, export.
import { count, desc, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import * as t from "../../db/schema";
import { exportDsl } from "../../dsl/export";
import { NotFound } from "../../lib/errors";
import { type AppContext, getAppContext, invalidateAppCache } from "./app-registry";
import { forgetEndUsers } from "../auth/end-users";
import { nowSeconds } from "../../lib/ids";
import { modelConfigToDict } from "./model-config";

type Json = Record<string, unknown>;

export interface AppPatch {
  name?: string;
  description?: string;
  icon_type?: "emoji" | "image" | "link";
  icon?: string;
  icon_background?: string | null;
  enable_site?: boolean;
  max_active_requests?: number | null;
  use_icon_as_answer_icon?: boolean;
  site?: {
    title?: string;
    description?: string | null;
    copyright?: string | null;
    privacy_policy?: string | null;
    custom_disclaimer?: string | null;
    default_language?: string;
    chat_color_theme?: string | null;
    chat_color_theme_inverted?: boolean;
    show_workflow_steps?: boolean;
    use_icon_as_answer_icon?: boolean;
    prompt_public?: boolean;
  };
}

function siteView(site: t.Site | null): Json | null {
  if (!site) return null;
  return {
    code: site.code,
    status: site.status,
    title: site.title,
    icon_type: site.iconType,
    icon: site.icon,
    icon_background: site.iconBackground,
    description: site.description,
    copyright: site.copyright,
    privacy_policy: site.privacyPolicy,
    custom_disclaimer: site.customDisclaimer,
    default_language: site.defaultLanguage,
    chat_color_theme: site.chatColorTheme,
    chat_color_theme_inverted: site.chatColorThemeInverted,
    show_workflow_steps: site.showWorkflowSteps,
    use_icon_as_answer_icon: site.useIconAsAnswerIcon,
    prompt_public: site.promptPublic,
  };
}

function appSummary(app: t.App, site: t.Site | null): Json {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    mode: app.mode,
    icon_type: app.iconType,
    icon: app.icon,
    icon_background: app.iconBackground,
    status: app.status,
    enable_site: app.enableSite,
    max_active_requests: app.maxActiveRequests,
    use_icon_as_answer_icon: app.useIconAsAnswerIcon,
    access_mode: app.accessMode,
    site_code: site?.code ?? null,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
  };
}

export function appDetail(ctx: AppContext): Json {
  return {
    ...appSummary(ctx.app, ctx.site),
    site: siteView(ctx.site),
    model_config: ctx.modelConfig ? modelConfigToDict(ctx.modelConfig) : null,
    workflow: ctx.workflow
      ? { id: ctx.workflow.id, type: ctx.workflow.type, version: ctx.workflow.version, graph: ctx.workflow.graph, features: ctx.workflow.features }
      : null,
  };
}

export async function listApps(db: Db, page: number, limit: number): Promise<Json> {
  const rows = await db
    .select({ app: t.apps, site: t.sites })
    .from(t.apps)
    .leftJoin(t.sites, eq(t.sites.appId, t.apps.id))
    .orderBy(desc(t.apps.createdAt), desc(t.apps.id))
    .limit(limit + 1)
    .offset((page - 1) * limit)
    .all();
  const total = (await db.select({ n: count() }).from(t.apps).get())?.n ?? 0;
  return {
    page,
    limit,
    total,
    has_more: rows.length > limit,
    data: rows.slice(0, limit).map((r) => appSummary(r.app, r.site)),
  };
}

/** Loads an app fresh from D1 (admin reads must not see the isolate cache). */
export async function requireApp(db: Db, appId: string): Promise<AppContext> {
  invalidateAppCache(appId);
  const ctx = await getAppContext(db, appId, 0);
  if (!ctx) throw new NotFound("App not found.");
  return ctx;
}

export async function updateApp(db: Db, appId: string, patch: AppPatch): Promise<AppContext> {
  const ctx = await requireApp(db, appId);
  const now = nowSeconds();
  const appSet: Partial<t.App> = {};
  if (patch.name !== undefined) appSet.name = patch.name;
  if (patch.description !== undefined) appSet.description = patch.description;
  if (patch.icon_type !== undefined) appSet.iconType = patch.icon_type;
  if (patch.icon !== undefined) appSet.icon = patch.icon;
  if (patch.icon_background !== undefined) appSet.iconBackground = patch.icon_background;
  if (patch.enable_site !== undefined) appSet.enableSite = patch.enable_site;
  if (patch.max_active_requests !== undefined) appSet.maxActiveRequests = patch.max_active_requests;
  if (patch.use_icon_as_answer_icon !== undefined) appSet.useIconAsAnswerIcon = patch.use_icon_as_answer_icon;
  const s = patch.site ?? {};
  const siteSet: Partial<t.Site> = {
    // The share page shows the site's icon; app icon changes carry over to it.
    ...(patch.icon_type !== undefined ? { iconType: patch.icon_type } : {}),
    ...(patch.icon !== undefined ? { icon: patch.icon } : {}),
    ...(patch.icon_background !== undefined ? { iconBackground: patch.icon_background } : {}),
    ...(s.title !== undefined ? { title: s.title } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
    ...(s.copyright !== undefined ? { copyright: s.copyright } : {}),
    ...(s.privacy_policy !== undefined ? { privacyPolicy: s.privacy_policy } : {}),
    ...(s.custom_disclaimer !== undefined ? { customDisclaimer: s.custom_disclaimer } : {}),
    ...(s.default_language !== undefined ? { defaultLanguage: s.default_language } : {}),
    ...(s.chat_color_theme !== undefined ? { chatColorTheme: s.chat_color_theme } : {}),
    ...(s.chat_color_theme_inverted !== undefined ? { chatColorThemeInverted: s.chat_color_theme_inverted } : {}),
    ...(s.show_workflow_steps !== undefined ? { showWorkflowSteps: s.show_workflow_steps } : {}),
    ...(s.use_icon_as_answer_icon !== undefined ? { useIconAsAnswerIcon: s.use_icon_as_answer_icon } : {}),
    ...(s.prompt_public !== undefined ? { promptPublic: s.prompt_public } : {}),
  };
  const statements: BatchItem<"sqlite">[] = [db.update(t.apps).set({ ...appSet, updatedAt: now }).where(eq(t.apps.id, appId))];
  if (ctx.site && Object.keys(siteSet).length > 0) {
    statements.push(db.update(t.sites).set({ ...siteSet, updatedAt: now }).where(eq(t.sites.id, ctx.site.id)));
  }
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return requireApp(db, appId);
}

/** Deletes the app, everything its end users created, and their file blobs. */
export async function deleteApp(db: Db, files: R2Bucket, appId: string): Promise<void> {
  await requireApp(db, appId);
  const endUserIds = db.select({ id: t.endUsers.id }).from(t.endUsers).where(eq(t.endUsers.appId, appId));
  const ownedFiles = await db
    .select({ key: t.uploadFiles.key })
    .from(t.uploadFiles)
    .where(sql`${t.uploadFiles.createdByRole} = 'end_user' AND ${t.uploadFiles.createdBy} IN ${endUserIds}`)
    .all();
  for (let i = 0; i < ownedFiles.length; i += 1000) await files.delete(ownedFiles.slice(i, i + 1000).map((f) => f.key));
  const messageIds = db.select({ id: t.messages.id }).from(t.messages).where(eq(t.messages.appId, appId));
  const formIds = db.select({ id: t.humanInputForms.id }).from(t.humanInputForms).where(eq(t.humanInputForms.appId, appId));
  await db.batch([
    db.delete(t.messageFiles).where(inArray(t.messageFiles.messageId, messageIds)),
    db.delete(t.humanInputFormRecipients).where(inArray(t.humanInputFormRecipients.formId, formIds)),
    db.delete(t.uploadFiles).where(sql`${t.uploadFiles.createdByRole} = 'end_user' AND ${t.uploadFiles.createdBy} IN ${endUserIds}`),
    db.delete(t.humanInputForms).where(eq(t.humanInputForms.appId, appId)),
    db.delete(t.workflowNodeExecutions).where(eq(t.workflowNodeExecutions.appId, appId)),
    db.delete(t.workflowRuns).where(eq(t.workflowRuns.appId, appId)),
    db.delete(t.messageFeedbacks).where(eq(t.messageFeedbacks.appId, appId)),
    db.delete(t.savedMessages).where(eq(t.savedMessages.appId, appId)),
    db.delete(t.pinnedConversations).where(eq(t.pinnedConversations.appId, appId)),
    db.delete(t.messages).where(eq(t.messages.appId, appId)),
    db.delete(t.conversations).where(eq(t.conversations.appId, appId)),
    db.delete(t.endUsers).where(eq(t.endUsers.appId, appId)),
    db.delete(t.appAccessGrants).where(eq(t.appAccessGrants.appId, appId)),
    db.delete(t.sites).where(eq(t.sites.appId, appId)),
    db.delete(t.workflows).where(eq(t.workflows.appId, appId)),
    db.delete(t.appModelConfigs).where(eq(t.appModelConfigs.appId, appId)),
    db.delete(t.apps).where(eq(t.apps.id, appId)),
  ]);
  invalidateAppCache(appId);
  forgetEndUsers();
}

export async function exportApp(db: Db, appId: string): Promise<{ name: string; yaml: string }> {
  const ctx = await requireApp(db, appId);
  return { name: ctx.app.name, yaml: exportDsl(ctx.app, ctx.modelConfig, ctx.workflow) };
}
