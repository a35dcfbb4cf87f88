// A human-input form (spec dify-dsl-and-nodes.md §3.21, dify-web-api.md §6.3): the node's DSL data
// turned into the stored definition — content rendered at creation with `{{#$output.NAME#}}`
// placeholders kept, defaults and select options resolved, expiration — and a submission turned
// into the node's outputs. Shared by the node and the form endpoints.
import { isObject } from "../../lib/json";
import { pyJson, isFile, type Json } from "../segments";
import { renderVariables } from "../template";
import { asSelector, type VariablePool } from "../variable-pool";

export interface FormInput {
  type: string;
  output_variable_name: string;
  [key: string]: unknown;
}

export interface UserAction {
  id: string;
  title: string;
  button_style: string;
}

export interface FormDefinition {
  form_content: string;
  inputs: FormInput[];
  user_actions: UserAction[];
  rendered_content: string;
  expiration_time: number;
  default_values: Json;
  node_title: string;
  display_in_ui: boolean;
}

const HOUR = 3600;
const DEFAULT_TIMEOUT_SECONDS = 36 * HOUR;

/** The node-level deadline in seconds from creation (timeout + timeout_unit hour|day; 36 h default). */
export function timeoutSeconds(data: Json): number {
  const amount = Number(data.timeout);
  if (!Number.isFinite(amount) || amount <= 0) return DEFAULT_TIMEOUT_SECONDS;
  return Math.round(amount * (data.timeout_unit === "day" ? 24 * HOUR : HOUR));
}

export function deliveries(data: Json): { webapp: boolean; emails: { email: string }[]; subject: string; body: string } {
  const methods = Array.isArray(data.delivery_methods) ? (data.delivery_methods as Json[]) : [];
  const enabled = methods.filter((m) => m.enabled !== false);
  const webapp = enabled.some((m) => m.type === "webapp");
  const email = enabled.find((m) => m.type === "email");
  const config = (isObject(email?.config) ? email.config : {}) as Json;
  const items = (isObject(config.recipients) && Array.isArray(config.recipients.items) ? config.recipients.items : []) as Json[];
  return {
    webapp,
    emails: items.filter((i) => i.type === "external" && typeof i.email === "string").map((i) => ({ email: String(i.email) })),
    subject: typeof config.subject === "string" ? config.subject : "Your input is needed",
    body: typeof config.body === "string" ? config.body : "Please open {{#url#}} to respond.",
  };
}

/** A value as the form shows it as a default (every value stringified: null → "", objects → JSON). */
export function stringified(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return pyJson(value);
  return String(value);
}

function resolveInput(input: Json, pool: VariablePool): { input: FormInput; defaultValue: unknown } {
  const resolved: FormInput = { ...(input as FormInput) };
  let defaultValue: unknown = undefined;
  const spec = (input.default ?? input.placeholder) as Json | undefined;
  if (isObject(spec)) {
    if (spec.type === "variable") {
      const selector = asSelector(spec.selector);
      defaultValue = selector ? pool.get(selector).value : undefined;
    } else defaultValue = spec.value;
  }
  const source = input.option_source as Json | undefined;
  if (input.type === "select" && isObject(source)) {
    let options: unknown = source.value;
    if (source.type === "variable") {
      const selector = asSelector(source.selector);
      options = selector ? pool.get(selector).value : [];
    }
    resolved.options = Array.isArray(options) ? options.map(String) : [];
  }
  return { input: resolved, defaultValue };
}

export function buildDefinition(data: Json, title: string, pool: VariablePool, now: number, globalTimeout: number): FormDefinition {
  const content = typeof data.form_content === "string" ? data.form_content : "";
  const inputs: FormInput[] = [];
  const defaults: Json = {};
  for (const raw of Array.isArray(data.inputs) ? (data.inputs as Json[]) : []) {
    if (!isObject(raw) || typeof raw.output_variable_name !== "string") continue;
    const { input, defaultValue } = resolveInput(raw, pool);
    inputs.push(input);
    defaults[input.output_variable_name] = defaultValue ?? null;
  }
  const actions = (Array.isArray(data.user_actions) ? (data.user_actions as Json[]) : []).map((a) => ({
    id: String(a.id ?? ""),
    title: String(a.title ?? a.id ?? ""),
    button_style: typeof a.button_style === "string" ? a.button_style : "default",
  }));
  const timeout = Math.min(timeoutSeconds(data), globalTimeout > 0 ? globalTimeout : Number.MAX_SAFE_INTEGER);
  return {
    form_content: content,
    inputs,
    user_actions: actions,
    // `{{#$output.x#}}` does not match the variable pattern, so it survives rendering.
    rendered_content: renderVariables(content, pool, "markdown"),
    expiration_time: now + timeout,
    default_values: defaults,
    node_title: title,
    display_in_ui: deliveries(data).webapp,
  };
}

export function resolvedDefaults(definition: FormDefinition): Record<string, string> {
  return Object.fromEntries(Object.entries(definition.default_values).map(([k, v]) => [k, stringified(v)]));
}

/** The form content with `{{#$output.X#}}` filled: text as is, a file as [file], a list as [N files]. */
export function renderSubmission(content: string, values: Json): string {
  return content.replace(/\{\{#\$output\.([a-zA-Z_][a-zA-Z0-9_]*)#\}\}/g, (match, name: string) => {
    if (!(name in values)) return match;
    const value = values[name];
    if (isFile(value)) return "[file]";
    if (Array.isArray(value) && value.every(isFile)) return `[${value.length} files]`;
    return stringified(value);
  });
}

export interface Submission {
  action: string;
  inputs: Json;
}

/** The node's outputs for a submission (§3.21): each input, __action_id, __action_value, __rendered_content. */
export function submissionOutputs(definition: FormDefinition, submission: Submission): Json {
  const action = definition.user_actions.find((a) => a.id === submission.action);
  const values: Json = {};
  for (const input of definition.inputs) values[input.output_variable_name] = submission.inputs[input.output_variable_name] ?? null;
  return {
    ...values,
    __action_id: submission.action,
    __action_value: action?.title ?? "",
    __rendered_content: renderSubmission(definition.rendered_content, values),
  };
}

export function timeoutOutputs(definition: FormDefinition): Json {
  return { __action_id: "", __action_value: "", __rendered_content: renderSubmission(definition.rendered_content, {}) };
}
