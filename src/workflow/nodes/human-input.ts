// human-input (spec dify-dsl-and-nodes.md §3.21): the first visit creates the form — its rows land
// before human_input_required is published (a barrier write), mail goes to email recipients with
// the form link — and pauses the run. Resumed with a submission it outputs the inputs, __action_id,
// __action_value and __rendered_content and takes the action's branch (an action without an edge ends
// that path); resumed by its timeout it takes "__timeout".
import { statement, statementBuilder } from "../../db/statements";
import { humanInputFormRecipients, humanInputForms } from "../../db/schema";
import { randomString, uuid } from "../../lib/ids";
import { isObject } from "../../lib/json";
import { buildDefinition, deliveries, type FormDefinition, resolvedDefaults, submissionOutputs, timeoutOutputs } from "../human-input/form";
import type { Json } from "../segments";
import { renderVariables } from "../template";
import type { NodeDefinition, NodeRun } from "../types";

const ACTION_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface FormPause {
  form_id: string;
  form_token: string | null;
  definition: FormDefinition;
  node_id: string;
  node_title: string;
  /** Epoch seconds the form was created (the global timeout counts from it). */
  created_at: number;
}

/** The human_input_required payload (and PauseReason body) of a form. */
export function requiredPayload(pause: FormPause): Json {
  return {
    form_id: pause.form_id,
    node_id: pause.node_id,
    node_title: pause.node_title,
    form_content: pause.definition.rendered_content,
    inputs: pause.definition.inputs,
    actions: pause.definition.user_actions,
    display_in_ui: pause.definition.display_in_ui,
    form_token: pause.form_token,
    resolved_default_values: resolvedDefaults(pause.definition),
    expiration_time: pause.definition.expiration_time,
  };
}

async function createForm(run: NodeRun): Promise<FormPause> {
  const { node, pool, services } = run;
  const now = Math.floor(Date.now() / 1000);
  const definition = buildDefinition(node.data, node.title, pool, now, services.settings.humanInputGlobalTimeout);
  const formId = uuid();
  const delivery = deliveries(node.data);
  const webToken = delivery.webapp ? randomString(22) : null;
  const db = statementBuilder();
  const recipients = [
    ...(webToken ? [{ type: "standalone_web_app", payload: {}, token: webToken }] : []),
    ...delivery.emails.map((r) => ({ type: "email_external", payload: r as Json, token: randomString(22) })),
  ];
  const rows = [
    statement(
      db.insert(humanInputForms).values({
        id: formId,
        tenantId: services.tenantId,
        appId: services.appId,
        workflowRunId: services.runId,
        conversationId: services.conversationId,
        formKind: "runtime",
        nodeId: node.id,
        formDefinition: definition as unknown as Json,
        renderedContent: definition.rendered_content,
        status: "waiting",
        expirationTime: definition.expiration_time,
        createdAt: now,
        updatedAt: now,
      }),
    ),
    ...recipients.map((r) =>
      statement(db.insert(humanInputFormRecipients).values({ id: uuid(), formId, recipientType: r.type, recipientPayload: r.payload, accessToken: r.token, createdAt: now })),
    ),
  ];
  // Events published after this write wait for it: a client must be able to open the form it is told about.
  const landed = services.write(rows, { label: "human input form", barrier: true });
  for (const r of recipients.filter((r) => r.type === "email_external")) {
    const url = `${services.webBaseUrl}/form/${r.token}`;
    const body = renderVariables(delivery.body, pool).replaceAll("{{#url#}}", url);
    const subject = renderVariables(delivery.subject, pool);
    void landed.then(() => services.mail({ to: String(r.payload.email), subject, text: body, html: body.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!).replaceAll(url, `<a href="${url}">${url}</a>`) })).catch(() => {});
  }
  return { form_id: formId, form_token: webToken, definition, node_id: node.id, node_title: node.title, created_at: now };
}

export const humanInputNode: NodeDefinition = {
  type: "human-input",
  check(data) {
    const actions = Array.isArray(data.user_actions) ? data.user_actions : [];
    for (const a of actions) if (!isObject(a) || typeof a.id !== "string" || !ACTION_ID.test(a.id)) return `invalid user action id ${JSON.stringify(isObject(a) ? a.id : a)}`;
    const names = (Array.isArray(data.inputs) ? data.inputs : []).map((i) => (isObject(i) ? i.output_variable_name : undefined));
    if (new Set(names).size !== names.length) return "input names must be unique";
    return null;
  },
  async run(run) {
    const resume = run.resumeData as { kind?: string; action?: string; inputs?: Json; pause?: FormPause } | undefined;
    const pause = resume?.pause;
    if (!resume || !pause) {
      const created = await createForm(run);
      run.emit("human_input_required", requiredPayload(created));
      return { outputs: {}, pause: created as unknown as Json };
    }
    if (resume.kind === "timeout") {
      run.emit("human_input_form_timeout", { node_id: pause.node_id, node_title: pause.node_title, expiration_time: pause.definition.expiration_time });
      return { outputs: timeoutOutputs(pause.definition), handle: "__timeout" };
    }
    const action = String(resume.action ?? "");
    const outputs = submissionOutputs(pause.definition, { action, inputs: resume.inputs ?? {} });
    run.emit("human_input_form_filled", {
      node_id: pause.node_id,
      node_title: pause.node_title,
      rendered_content: outputs.__rendered_content,
      action_id: action,
      action_text: outputs.__action_value,
      submitted_data: resume.inputs ?? {},
    });
    return { outputs, handle: action, inputs: resume.inputs ?? {} };
  },
};
