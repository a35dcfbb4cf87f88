// Dify DSL (app export YAML) → a checked, normalised app definition (spec dify-dsl-and-nodes.md §1).
// Every problem is collected so one invalid_dsl error names all offending items at once.
import { parse, type ScalarTag, type Tags, YAMLError } from "yaml";
import { InvalidDsl } from "../lib/errors";
import { checkGraph } from "./graph";
import { Findings } from "./findings";
import { isObject } from "../lib/json";
import { checkModelConfig } from "./model-config";

export const CURRENT_DSL_VERSION = "0.6.0";
export const APP_MODES = ["chat", "completion", "agent-chat", "advanced-chat", "workflow"] as const;
export type AppMode = (typeof APP_MODES)[number];
export const MAX_DSL_BYTES = 10 * 1024 * 1024;

type Json = Record<string, unknown>;

export interface DslApp {
  name: string;
  mode: AppMode;
  description: string;
  icon: string;
  iconType: "emoji" | "image" | "link";
  iconBackground: string;
  useIconAsAnswerIcon: boolean;
}

export interface DslWorkflow {
  graph: Json;
  features: Json;
  environmentVariables: Json[];
  conversationVariables: Json[];
}

export interface ParsedDsl {
  version: string;
  app: DslApp;
  modelConfig: Json | null;
  workflow: DslWorkflow | null;
  dependencies: unknown[];
  /** Dify model provider strings used by the model config or LLM-backed nodes. */
  modelProviders: string[];
  warnings: string[];
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function checkVersion(raw: unknown, findings: Findings): string {
  if (raw === undefined || raw === null) return "0.1.0";
  if (typeof raw !== "string") {
    findings.error(`version must be a quoted string such as "0.6.0", got ${JSON.stringify(raw)}`);
    return "0.1.0";
  }
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(raw.trim());
  if (!match) {
    findings.error(`version "${raw}" is not a valid DSL version`);
    return raw;
  }
  const current = CURRENT_DSL_VERSION.split(".").map(Number);
  if (compareVersions(match.slice(1).map(Number), current) > 0) {
    findings.error(`DSL version ${raw} is newer than the supported ${CURRENT_DSL_VERSION}`);
  }
  return raw.trim();
}

function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : value === null || value === undefined ? fallback : String(value);
}

function readApp(raw: unknown, findings: Findings): DslApp | null {
  if (!isObject(raw)) {
    findings.error("Missing app data in YAML content");
    return null;
  }
  const mode = raw.mode;
  if (typeof mode !== "string" || !(APP_MODES as readonly string[]).includes(mode)) {
    findings.error(mode === undefined ? "app.mode is missing" : `Invalid app mode: ${JSON.stringify(mode)} (expected one of ${APP_MODES.join(", ")})`);
    return null;
  }
  const iconType = raw.icon_type === "image" || raw.icon_type === "link" ? raw.icon_type : "emoji";
  return {
    name: str(raw.name).slice(0, 255),
    mode: mode as AppMode,
    description: str(raw.description),
    icon: str(raw.icon),
    iconType,
    iconBackground: raw.icon_background === null || raw.icon_background === undefined ? "#FFFFFF" : str(raw.icon_background),
    useIconAsAnswerIcon: raw.use_icon_as_answer_icon === true,
  };
}

function readWorkflow(raw: unknown, mode: AppMode, findings: Findings): DslWorkflow | null {
  if (!isObject(raw)) {
    findings.error(`Missing workflow data for ${mode} app`);
    return null;
  }
  const graph = raw.graph;
  if (!isObject(graph)) {
    findings.error("workflow.graph is missing");
    return null;
  }
  const list = (value: unknown, name: string): Json[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every(isObject)) {
      findings.error(`workflow.${name} must be a list of variables`);
      return [];
    }
    return value;
  };
  const environmentVariables = list(raw.environment_variables, "environment_variables");
  const conversationVariables = list(raw.conversation_variables, "conversation_variables");
  for (const [kind, vars] of [["environment", environmentVariables], ["conversation", conversationVariables]] as const) {
    for (const variable of vars) {
      if (typeof variable.name !== "string" || !variable.name) findings.error(`a ${kind} variable has no name`);
      else if (!("value" in variable)) findings.error(`${kind} variable ${variable.name} is missing value`);
    }
  }
  if (mode === "workflow" && conversationVariables.length > 0) {
    findings.warn("conversation variables are ignored in workflow apps (chatflows only)");
  }
  checkGraph(graph, mode, findings);
  return {
    graph,
    features: isObject(raw.features) ? raw.features : {},
    environmentVariables,
    conversationVariables,
  };
}

const BOOL = "tag:yaml.org,2002:bool";
const pyBool = (value: boolean, test: RegExp): ScalarTag => ({ identify: (v) => v === value, default: true, tag: BOOL, test, resolve: () => value });
/**
 * YAML 1.1 as PyYAML reads it: its booleans are yes/no, true/false and on/off (in three casings),
 * not the spec's y/n, so a variable named `y` or `n` in a Dify export stays a string.
 */
const pyYamlTags = (tags: Tags): Tags => [
  ...tags.filter((tag) => (typeof tag === "string" ? tag !== "bool" : tag.tag !== BOOL)),
  pyBool(true, /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/),
  pyBool(false, /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/),
];

export function parseDsl(text: string): ParsedDsl {
  if (new TextEncoder().encode(text).byteLength > MAX_DSL_BYTES) throw new InvalidDsl("DSL content exceeds 10 MiB");
  let doc: unknown;
  try {
    // PyYAML (which writes and reads Dify exports) speaks YAML 1.1.
    doc = parse(text, { version: "1.1", customTags: pyYamlTags, maxAliasCount: 100, uniqueKeys: false });
  } catch (err) {
    const detail = err instanceof YAMLError ? err.message.split("\n")[0] : "unreadable content";
    throw new InvalidDsl(`Invalid YAML format: ${detail}`);
  }
  if (!isObject(doc)) throw new InvalidDsl("Invalid YAML format: content must be a mapping");

  const findings = new Findings();
  const version = checkVersion(doc.version, findings);
  const app = readApp(doc.app, findings);
  let modelConfig: Json | null = null;
  let workflow: DslWorkflow | null = null;
  if (app) {
    if (app.mode === "advanced-chat" || app.mode === "workflow") {
      workflow = readWorkflow(doc.workflow, app.mode, findings);
    } else if (!isObject(doc.model_config)) {
      findings.error(`Missing model_config for ${app.mode} app`);
    } else {
      modelConfig = doc.model_config;
      checkModelConfig(modelConfig, app.mode, findings);
    }
  }
  if (findings.errors.length > 0 || !app) throw new InvalidDsl(`Invalid DSL: ${findings.errors.join("; ")}`);
  return {
    version,
    app,
    modelConfig,
    workflow,
    dependencies: Array.isArray(doc.dependencies) ? doc.dependencies : [],
    modelProviders: [...findings.modelProviders],
    warnings: findings.warnings,
  };
}
