// Checks of an easy-UI model_config (spec dify-dsl-and-nodes.md §1.9, §1.12).
import { type Findings } from "./findings";
import { isObject } from "../lib/json";
import type { AppMode } from "./parse";
import { unsupportedToolReason } from "./tools";

type Json = Record<string, unknown>;

const enabled = (value: unknown) => isObject(value) && value.enabled !== false;

export function checkModelConfig(config: Json, mode: AppMode, findings: Findings): void {
  const model = config.model;
  if (!isObject(model) || typeof model.provider !== "string" || typeof model.name !== "string") {
    findings.error("model_config.model must name a provider and a model");
  } else {
    findings.modelProviders.add(model.provider);
  }
  const agent = config.agent_mode;
  const isAgent = mode === "agent-chat" || (isObject(agent) && agent.enabled === true);
  if (isObject(agent) && Array.isArray(agent.tools)) {
    for (const tool of agent.tools) {
      if (!isObject(tool) || tool.enabled === false) continue;
      if (isObject(tool.dataset)) {
        if (enabled(tool.dataset)) findings.error(`knowledge retrieval (dataset ${String(tool.dataset.id)}) is not supported`);
        continue;
      }
      if (!isAgent) continue;
      const reason = unsupportedToolReason(tool);
      if (reason) findings.error(`agent ${reason}`);
    }
  }
  const datasets = (config.dataset_configs as { datasets?: { datasets?: unknown } } | undefined)?.datasets?.datasets;
  if (Array.isArray(datasets) && datasets.some((d) => isObject(d) && enabled(d.dataset))) {
    findings.error("knowledge retrieval (dataset_configs.datasets) is not supported");
  }
  if (Array.isArray(config.external_data_tools)) {
    for (const tool of config.external_data_tools) {
      if (isObject(tool) && tool.enabled !== false) {
        findings.error(`external data tool ${String(tool.variable ?? tool.type)} is not supported`);
      }
    }
  }
  if (Array.isArray(config.user_input_form)) {
    for (const item of config.user_input_form) {
      if (isObject(item) && "external_data_tool" in item) {
        const variable = isObject(item.external_data_tool) ? item.external_data_tool.variable : undefined;
        findings.error(`external data tool input ${String(variable ?? "")} is not supported`);
      }
    }
  }
  const moderation = config.sensitive_word_avoidance;
  if (isObject(moderation) && moderation.enabled === true && moderation.type !== "keywords") {
    findings.warn(`sensitive_word_avoidance type "${String(moderation.type)}" is not supported; only "keywords" moderation runs`);
  }
}
