// GET and POST /api/form/human_input/{form_token} (spec dify-web-api.md §4.28, §4.29): no passport,
// as Dify. Per-IP limits (exact counters in D1), the token's form, Dify's 404/412/400 answers, and a
// submission that is single-use under concurrency: the form row moves from waiting to submitted by one
// conditional update, so of two simultaneous submits exactly one wins and resumes the run.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { humanInputFormRecipients, humanInputForms, workflowRuns } from "../../db/schema";
import { ApiError, InvalidParam, NotFound, WebFormRateLimitExceeded } from "../../lib/errors";
import { nowSeconds } from "../../lib/ids";
import { isObject } from "../../lib/json";
import { resumeTask } from "../../tasks/client";
import type { FormDefinition } from "../../workflow/human-input/form";
import { resolvedDefaults } from "../../workflow/human-input/form";
import { getAppContext } from "../apps/app-registry";
import { siteResponse } from "../apps/site-info";
import { takeMailSlot } from "../auth/auth-limits";
import type { Deps } from "../deps";
import { resolveFileInput } from "../files/input-files";
import { ssrfPolicy } from "../../lib/ssrf";
import { storedFile } from "../files/request-files";

type Json = Record<string, unknown>;

export class FormSubmitted extends ApiError {
  constructor(formId: string) {
    super(412, "human_input_form_submitted", `This form has already been submitted by another user, form_id=${formId}`);
  }
}

export class FormExpired extends ApiError {
  constructor(formId: string) {
    super(412, "human_input_form_expired", `This form has expired, form_id=${formId}`);
  }
}

export class InvalidFormData extends ApiError {
  constructor(message: string) {
    super(400, "invalid_form_data", message);
  }
}

interface FoundForm {
  form: typeof humanInputForms.$inferSelect;
  recipientId: string;
  definition: FormDefinition;
}

async function limit(deps: Deps, scope: "web_form_access" | "web_form_submit", ip: string): Promise<void> {
  const { maxAttempts, windowSeconds } = deps.config.webForm;
  if (!(await takeMailSlot(deps.db, scope, ip, maxAttempts, windowSeconds))) throw new WebFormRateLimitExceeded();
}

async function findForm(db: Db, token: string): Promise<FoundForm> {
  const row = await db
    .select({ form: humanInputForms, recipientId: humanInputFormRecipients.id })
    .from(humanInputFormRecipients)
    .innerJoin(humanInputForms, eq(humanInputForms.id, humanInputFormRecipients.formId))
    .where(eq(humanInputFormRecipients.accessToken, token))
    .get();
  if (!row) throw new NotFound("Form not found");
  return { ...row, definition: row.form.formDefinition as unknown as FormDefinition };
}

function requireActive(found: FoundForm, globalTimeout: number): void {
  const { form } = found;
  if (form.status === "submitted") throw new FormSubmitted(form.id);
  const now = nowSeconds();
  if (form.status !== "waiting" || form.expirationTime <= now || (globalTimeout > 0 && form.createdAt + globalTimeout <= now)) throw new FormExpired(form.id);
}

export async function getForm(deps: Deps, ip: string, token: string): Promise<Json> {
  await limit(deps, "web_form_access", ip);
  const found = await findForm(deps.db, token);
  requireActive(found, deps.config.workflow.humanInputGlobalTimeout);
  const ctx = await getAppContext(deps.db, found.form.appId, deps.config.cacheTtlSeconds);
  if (!ctx || ctx.app.tenantId !== found.form.tenantId) throw new NotFound("Form not found");
  const { definition } = found;
  return {
    form_content: definition.rendered_content,
    inputs: definition.inputs,
    resolved_default_values: resolvedDefaults(definition),
    user_actions: definition.user_actions,
    expiration_time: definition.expiration_time,
    site: await siteResponse(ctx, null, deps.signer),
  };
}

/** Checks a submission against the form (Dify's messages) and resolves its file inputs. */
async function validated(deps: Deps, found: FoundForm, body: { inputs: Json; action: string }, owner: { tenantId: string; endUserId: string }): Promise<Json> {
  const { definition } = found;
  if (!definition.user_actions.some((a) => a.id === body.action)) throw new InvalidFormData(`Invalid action: ${body.action}`);
  const missing = definition.inputs.map((i) => i.output_variable_name).filter((name) => !(name in body.inputs));
  if (missing.length) throw new InvalidFormData(`Missing required inputs: ${missing.join(", ")}`);
  const values: Json = {};
  const fileDeps = { db: deps.db, bucket: deps.env.FILES, config: deps.config, policy: ssrfPolicy(deps.config), owner };
  for (const input of definition.inputs) {
    const name = input.output_variable_name;
    const value = body.inputs[name];
    if (input.type === "select") {
      const options = Array.isArray(input.options) ? (input.options as unknown[]).map(String) : [];
      if (typeof value !== "string" || (options.length && !options.includes(value))) throw new InvalidFormData(`Invalid value for ${name}: must be one of ${options.join(", ")}`);
      values[name] = value;
    } else if (input.type === "file" || input.type === "file-list") {
      const variable = { ...input, variable: name, type: input.type, max_length: input.number_limits };
      try {
        const files = await resolveFileInput(fileDeps, variable, value);
        values[name] = files === null ? null : Array.isArray(files) ? files.map((f) => storedFile(f, owner.tenantId)) : storedFile(files, owner.tenantId);
      } catch (err) {
        if (err instanceof ApiError) throw new InvalidFormData(`Invalid value for ${name}: ${err.message}`);
        throw err;
      }
    } else {
      if (value !== null && value !== undefined && typeof value !== "string") throw new InvalidFormData(`Invalid value for ${name}: must be a string`);
      values[name] = value ?? "";
    }
  }
  return values;
}

export async function submitForm(deps: Deps, ip: string, token: string, body: { inputs: unknown; action: unknown }): Promise<Json> {
  await limit(deps, "web_form_submit", ip);
  if (!isObject(body.inputs)) throw new InvalidParam("inputs is required", "inputs");
  if (typeof body.action !== "string" || !body.action) throw new InvalidParam("action is required", "action");
  const found = await findForm(deps.db, token);
  requireActive(found, deps.config.workflow.humanInputGlobalTimeout);
  const { form } = found;
  const run = form.workflowRunId ? await deps.db.select({ createdBy: workflowRuns.createdBy }).from(workflowRuns).where(eq(workflowRuns.id, form.workflowRunId)).get() : null;
  if (!run || !form.workflowRunId) throw new NotFound("Form not found");
  const inputs = await validated(deps, found, { inputs: body.inputs, action: body.action }, { tenantId: form.tenantId, endUserId: run.createdBy });
  const now = nowSeconds();
  const claimed = await deps.db
    .update(humanInputForms)
    .set({ status: "submitted", selectedActionId: body.action, submittedData: inputs, submittedAt: now, completedByRecipientId: found.recipientId, updatedAt: now })
    .where(and(eq(humanInputForms.id, form.id), eq(humanInputForms.status, "waiting")))
    .returning({ id: humanInputForms.id });
  if (claimed.length === 0) {
    const current = await deps.db.select({ status: humanInputForms.status }).from(humanInputForms).where(eq(humanInputForms.id, form.id)).get();
    throw current?.status === "submitted" ? new FormSubmitted(form.id) : new FormExpired(form.id);
  }
  await resumeTask(deps.env, form.workflowRunId, { appId: form.appId, endUserId: run.createdBy }, { nodes: { [form.nodeId]: { kind: "submitted", action: body.action, inputs } } });
  return {};
}
