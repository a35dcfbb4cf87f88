// App → Dify DSL YAML (spec dify-dsl-and-nodes.md §1.4). Keys are sorted as PyYAML writes them;
// secret environment variables are exported blank, as Dify does without include_secret.
import { stringify } from "yaml";
import type { App, AppModelConfig, Workflow } from "../db/schema";
import { modelConfigToDict } from "../services/apps/model-config";
import { CURRENT_DSL_VERSION } from "./parse";

type Json = Record<string, unknown>;

function stripToolCredentials(modelConfig: Json): Json {
  const agent = modelConfig.agent_mode as { tools?: unknown[] } | undefined;
  if (!agent?.tools) return modelConfig;
  const tools = agent.tools.map((tool) => {
    if (typeof tool !== "object" || tool === null) return tool;
    const { credential_id: _drop, ...rest } = tool as Json;
    return rest;
  });
  return { ...modelConfig, agent_mode: { ...agent, tools } };
}

export function exportDsl(app: App, modelConfig: AppModelConfig | null, workflow: Workflow | null): string {
  const doc: Json = {
    app: {
      description: app.description,
      icon: app.icon ?? "",
      icon_background: app.iconBackground,
      icon_type: app.iconType ?? "emoji",
      mode: app.mode,
      name: app.name,
      use_icon_as_answer_icon: app.useIconAsAnswerIcon,
    },
    dependencies: [],
    kind: "app",
    version: CURRENT_DSL_VERSION,
  };
  if (modelConfig) {
    doc.model_config = stripToolCredentials(modelConfigToDict(modelConfig) as unknown as Json);
  }
  if (workflow) {
    doc.workflow = {
      conversation_variables: workflow.conversationVariables,
      environment_variables: (workflow.environmentVariables as Json[]).map((v) => (v.value_type === "secret" ? { ...v, value: "" } : v)),
      features: workflow.features,
      graph: workflow.graph,
      rag_pipeline_variables: [],
    };
  }
  return stringify(doc, { sortMapEntries: true, lineWidth: 0 });
}
