// DSL import: one app with its site and its model config or published workflow, written in a
// single D1 batch so a failure leaves nothing half-written.
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { apps, appModelConfigs, sites, tenants, workflows } from "../../db/schema";
import type { ParsedDsl } from "../../dsl/parse";
import { encryptString } from "../../lib/crypto";
import { nowSeconds, randomString, uuid } from "../../lib/ids";
import { storedJson } from "./model-config";
import { providerKey } from "../../llm/registry";
import { registeredProviderNames } from "./model-providers";

/** Everything lives in one tenant until multi-tenancy is needed; its row is created on first import. */
export const DEFAULT_TENANT_ID = "00000000-0000-4000-8000-000000000001";
import { ENV_SECRET_PURPOSE } from "../../workflow/program";

export interface ImportResult {
  app_id: string;
  site_code: string;
  mode: string;
  name: string;
  warnings: string[];
}

type Json = Record<string, unknown>;

/** Dify's published workflow version string: the naive UTC publish time. */
function publishVersion(): string {
  return new Date().toISOString().replace("T", " ").replace("Z", "");
}

function modelConfigColumns(config: Json) {
  const model = (config.model ?? {}) as Json;
  return {
    provider: typeof model.provider === "string" ? model.provider : null,
    modelId: typeof model.name === "string" ? model.name : null,
    openingStatement: typeof config.opening_statement === "string" && config.opening_statement ? config.opening_statement : null,
    suggestedQuestions: storedJson<string[]>(config.suggested_questions),
    suggestedQuestionsAfterAnswer: storedJson<Json>(config.suggested_questions_after_answer),
    speechToText: storedJson<Json>(config.speech_to_text),
    textToSpeech: storedJson<Json>(config.text_to_speech),
    moreLikeThis: storedJson<Json>(config.more_like_this),
    model: storedJson<Json>(config.model),
    userInputForm: storedJson<unknown[]>(config.user_input_form),
    datasetQueryVariable: typeof config.dataset_query_variable === "string" && config.dataset_query_variable ? config.dataset_query_variable : null,
    prePrompt: typeof config.pre_prompt === "string" ? config.pre_prompt : null,
    agentMode: storedJson<Json>(config.agent_mode),
    sensitiveWordAvoidance: storedJson<Json>(config.sensitive_word_avoidance),
    retrieverResource: storedJson<Json>(config.retriever_resource),
    promptType: config.prompt_type === "advanced" ? "advanced" : "simple",
    chatPromptConfig: storedJson<Json>(config.chat_prompt_config),
    completionPromptConfig: storedJson<Json>(config.completion_prompt_config),
    datasetConfigs: storedJson<Json>(config.dataset_configs),
    externalDataTools: storedJson<unknown[]>(config.external_data_tools),
    fileUpload: storedJson<Json>(config.file_upload),
  };
}

/** Secret environment values are kept encrypted; imported exports usually carry them blank. */
async function protectEnvironment(variables: Json[], secretKey: string): Promise<Json[]> {
  return Promise.all(
    variables.map(async (v) =>
      v.value_type === "secret" && typeof v.value === "string" && v.value !== ""
        ? { ...v, value: await encryptString(secretKey, ENV_SECRET_PURPOSE, v.value) }
        : v,
    ),
  );
}

async function providerWarnings(db: Db, parsed: ParsedDsl, defaultProvider: string): Promise<string[]> {
  const registered = await registeredProviderNames(db);
  registered.add("echo");
  const fallback = providerKey(defaultProvider);
  return parsed.modelProviders
    .map(providerKey)
    .filter((name, i, all) => all.indexOf(name) === i && !registered.has(name))
    .map(
      (name) =>
        `model provider "${name}" is not configured: register it with PUT /admin/model-providers/${name}` +
        (registered.has(fallback) ? `; until then the app uses DEFAULT_MODEL_PROVIDER "${fallback}"` : ""),
    );
}

export async function importApp(db: Db, parsed: ParsedDsl, options: { secretKey: string; defaultModelProvider: string }): Promise<ImportResult> {
  const warnings = [...parsed.warnings, ...(await providerWarnings(db, parsed, options.defaultModelProvider))];
  const now = nowSeconds();
  const appId = uuid();
  const { app } = parsed;
  const modelConfigId = parsed.modelConfig ? uuid() : null;
  const workflowId = parsed.workflow ? uuid() : null;
  const statements: BatchItem<"sqlite">[] = [
    db.insert(tenants).values({ id: DEFAULT_TENANT_ID, name: "Default", createdAt: now, updatedAt: now }).onConflictDoNothing(),
    db.insert(apps).values({
      id: appId,
      tenantId: DEFAULT_TENANT_ID,
      name: app.name,
      description: app.description,
      mode: app.mode,
      iconType: app.iconType,
      icon: app.icon,
      iconBackground: app.iconBackground,
      appModelConfigId: modelConfigId,
      workflowId,
      useIconAsAnswerIcon: app.useIconAsAnswerIcon,
      createdAt: now,
      updatedAt: now,
    }),
  ];
  if (parsed.modelConfig && modelConfigId) {
    statements.push(db.insert(appModelConfigs).values({ id: modelConfigId, appId, ...modelConfigColumns(parsed.modelConfig), createdAt: now, updatedAt: now }));
  }
  if (parsed.workflow && workflowId) {
    statements.push(
      db.insert(workflows).values({
        id: workflowId,
        tenantId: DEFAULT_TENANT_ID,
        appId,
        type: app.mode === "advanced-chat" ? "chat" : "workflow",
        // Import publishes: the Web API serves the published workflow.
        version: publishVersion(),
        graph: parsed.workflow.graph,
        features: parsed.workflow.features,
        environmentVariables: await protectEnvironment(parsed.workflow.environmentVariables, options.secretKey),
        conversationVariables: parsed.workflow.conversationVariables,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }
  const siteCode = randomString(16);
  statements.push(
    db.insert(sites).values({
      id: uuid(),
      appId,
      code: siteCode,
      title: app.name,
      iconType: app.iconType,
      icon: app.icon,
      iconBackground: app.iconBackground,
      description: app.description || null,
      useIconAsAnswerIcon: app.useIconAsAnswerIcon,
      createdAt: now,
      updatedAt: now,
    }),
  );
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return { app_id: appId, site_code: siteCode, mode: app.mode, name: app.name, warnings };
}
