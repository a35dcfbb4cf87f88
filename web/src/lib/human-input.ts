// Human-input forms (spec dify-web-api.md §4.28, §4.29, §6.3; dify-web-client.md §5.6): one shape for
// a form however it reached the page — a human_input_required event, a chatflow answer's
// extra_contents, or GET /api/form/human_input/{token} — its content split around the
// `{{#$output.NAME#}}` placeholders where its inputs go, and the submission.
import { api } from "./api";
import { type Attachment, filePolicy, type FilePolicy, toFileMapping } from "./files";
import type { Step } from "./steps";

export interface FormInput {
  type: string;
  output_variable_name: string;
  options?: string[];
  allowed_file_types?: string[];
  allowed_file_extensions?: string[];
  allowed_file_upload_methods?: string[];
  number_limits?: number;
  max_length?: number;
}

export interface FormAction {
  id: string;
  title: string;
  button_style: "primary" | "default" | "accent" | "ghost" | string;
}

export interface PendingForm {
  nodeId: string;
  nodeTitle: string;
  content: string;
  inputs: FormInput[];
  actions: FormAction[];
  token: string | null;
  defaults: Record<string, string>;
  expiration: number;
  displayInUi: boolean;
}

export interface FilledForm {
  nodeId: string;
  nodeTitle: string;
  content: string;
  actionText: string;
  /** Filled by its deadline, not by a person. */
  timedOut?: boolean;
}

type Json = Record<string, any>;

/** From human_input_required data or an extra_contents form_definition (the same keys). */
export function pendingForm(data: Json): PendingForm {
  return {
    nodeId: String(data.node_id ?? ""),
    nodeTitle: String(data.node_title ?? ""),
    content: String(data.form_content ?? ""),
    inputs: Array.isArray(data.inputs) ? data.inputs : [],
    actions: Array.isArray(data.actions ?? data.user_actions) ? (data.actions ?? data.user_actions) : [],
    token: typeof data.form_token === "string" ? data.form_token : null,
    defaults: data.resolved_default_values ?? {},
    expiration: Number(data.expiration_time ?? 0),
    displayInUi: data.display_in_ui !== false,
  };
}

/** From human_input_form_filled data or an extra_contents form_submission_data. */
export function filledForm(data: Json): FilledForm {
  return { nodeId: String(data.node_id ?? ""), nodeTitle: String(data.node_title ?? ""), content: String(data.rendered_content ?? ""), actionText: String(data.action_text ?? data.action_id ?? "") };
}

/** A form's answer from human_input_form_filled, or its timeout (no answer; the content without its inputs). */
function answeredForm(event: { event: string; data?: Json }, pending: PendingForm[]): FilledForm {
  const data = event.data ?? {};
  if (event.event === "human_input_form_filled") return filledForm(data);
  const form = pending.find((f) => f.nodeId === data.node_id);
  return { nodeId: String(data.node_id ?? ""), nodeTitle: String(data.node_title ?? form?.nodeTitle ?? ""), content: form?.content.replace(/\{\{#\$output\.\w+#\}\}/g, "") ?? "", actionText: "", timedOut: true };
}

/** What a run holds of its forms. */
export interface FormState {
  forms: PendingForm[];
  filled: FilledForm[];
  steps: Step[];
}

/**
 * How a form event changes a run (spec dify-web-client.md §5.6): human_input_required adds or
 * replaces the node's form (not shown when display_in_ui is false) and marks the node waiting;
 * human_input_form_filled / _timeout move it to the answered ones. Null for other events.
 */
export function formEventPatch(state: FormState, event: { event: string; data?: Json }): Partial<FormState> | null {
  if (event.event === "human_input_required") {
    const form = pendingForm(event.data ?? {});
    return {
      steps: state.steps.map((s) => (s.nodeId === form.nodeId && s.status === "running" ? { ...s, status: "paused" } : s)),
      forms: [...state.forms.filter((f) => f.nodeId !== form.nodeId), ...(form.displayInUi ? [form] : [])],
    };
  }
  if (event.event === "human_input_form_filled" || event.event === "human_input_form_timeout") {
    const done = answeredForm(event, state.forms);
    return { forms: state.forms.filter((f) => f.nodeId !== done.nodeId), filled: [...state.filled.filter((f) => f.nodeId !== done.nodeId), done] };
  }
  return null;
}

export type Part = { text: string } | { input: FormInput };

const PLACEHOLDER = /\{\{#\$output\.([A-Za-z_][A-Za-z0-9_]*)#\}\}/g;

/** The content as text and input parts; inputs the content does not place come last, so every one can be filled. */
export function formParts(form: PendingForm): Part[] {
  const parts: Part[] = [];
  const placed = new Set<string>();
  let from = 0;
  for (const match of form.content.matchAll(PLACEHOLDER)) {
    if (match.index > from) parts.push({ text: form.content.slice(from, match.index) });
    from = match.index + match[0].length;
    // A placeholder of no input (or of one placed already) shows nothing, as in Dify's form.
    const input = form.inputs.find((i) => i.output_variable_name === match[1]);
    if (!input || placed.has(input.output_variable_name)) continue;
    parts.push({ input });
    placed.add(input.output_variable_name);
  }
  if (from < form.content.length) parts.push({ text: form.content.slice(from) });
  for (const input of form.inputs) if (!placed.has(input.output_variable_name)) parts.push({ input });
  return parts;
}

export const isFileInput = (input: FormInput) => input.type === "file" || input.type === "file-list";

export function inputPolicy(input: FormInput, system: Record<string, number> = {}): FilePolicy {
  return filePolicy(
    {
      enabled: true,
      allowed_file_types: input.allowed_file_types,
      allowed_file_extensions: input.allowed_file_extensions,
      allowed_file_upload_methods: input.allowed_file_upload_methods,
      number_limits: input.type === "file" ? 1 : input.number_limits || 5,
    },
    system,
  );
}

export type FormValues = Record<string, string | Attachment[]>;

export function initialFormValues(form: PendingForm): FormValues {
  return Object.fromEntries(form.inputs.map((i) => [i.output_variable_name, isFileInput(i) ? [] : (form.defaults[i.output_variable_name] ?? "")]));
}

/** What the form still needs before it can go (a select without a choice, a file still uploading), or null. */
export function formProblem(form: PendingForm, values: FormValues): { name: string; reason: "choose" | "uploading" } | null {
  for (const input of form.inputs) {
    const value = values[input.output_variable_name];
    if (input.type === "select" && !value) return { name: input.output_variable_name, reason: "choose" };
    if (Array.isArray(value) && value.some((a) => a.status !== "done")) return { name: input.output_variable_name, reason: "uploading" };
  }
  return null;
}

/** The submission's `inputs`: every input by name (the API wants each key), files as mappings. */
export function submissionInputs(form: PendingForm, values: FormValues): Json {
  const inputs: Json = {};
  for (const input of form.inputs) {
    const value = values[input.output_variable_name];
    if (input.type === "file") inputs[input.output_variable_name] = Array.isArray(value) && value[0] ? toFileMapping(value[0]) : null;
    else if (input.type === "file-list") inputs[input.output_variable_name] = Array.isArray(value) ? value.map(toFileMapping) : [];
    else inputs[input.output_variable_name] = typeof value === "string" ? value : "";
  }
  return inputs;
}

export function submitForm(token: string, action: string, inputs: Json): Promise<unknown> {
  return api(`/form/human_input/${encodeURIComponent(token)}`, { method: "POST", body: { inputs, action }, noRedirect: true });
}
