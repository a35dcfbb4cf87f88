// POST /api/workflows/run (spec dify-web-api.md §4.25): inputs validated against the Start node's
// variables (§8.2, file types checked strictly as Dify does for workflows), `files` → sys.files, the
// app's concurrency slot, then the run starts in its TaskRunner (task id = workflow run id) and its
// events stream back from the same call. Always streaming.
import type { EndUser } from "../../db/schema";
import { nowSeconds, uuid } from "../../lib/ids";
import type { WorkflowSpec } from "../../workflow/program";
import { runInsert } from "../../workflow/records";
import { startNodeInputForm } from "../apps/app-params";
import type { AppContext } from "../apps/app-registry";
import type { Deps } from "../deps";
import { discardRequestFiles, resolveRequestFiles } from "../files/request-files";
import { validateInputs } from "../generation/inputs";
import { launchTask } from "../generation/generation";
import { takeSlot } from "../generation/generation-start";
import { fileValue, publishedWorkflow, runSettings, withFileUrls } from "./run-spec";

export interface WorkflowRunBody {
  inputs: Record<string, unknown>;
  files?: unknown[] | null;
}

export async function startWorkflowRun(deps: Deps, ctx: AppContext, endUser: EndUser, body: WorkflowRunBody): Promise<{ taskId: string; stream: ReadableStream<Uint8Array> }> {
  const workflow = publishedWorkflow(ctx);
  const form = startNodeInputForm(workflow.graph);
  const inputs = validateInputs(form, body.inputs, deps.config.limits);
  const requestFiles = await resolveRequestFiles(
    deps,
    ctx.app.tenantId,
    endUser,
    { form, fileUpload: workflow.features.file_upload, inputs, files: body.files },
    { strictType: true },
  );
  const discardFiles = () => discardRequestFiles(deps, requestFiles);
  const slot = await takeSlot(deps, ctx, discardFiles);
  const runId = uuid();
  const now = nowSeconds();
  const sysFiles = await Promise.all(requestFiles.files.map((f) => fileValue(deps, f, ctx.app.tenantId)));
  const runInputs = await withFileUrls(deps, requestFiles.inputs);
  const spec: WorkflowSpec = {
    kind: "workflow",
    mode: "workflow",
    taskId: runId,
    appId: ctx.app.id,
    endUserId: endUser.id,
    slot,
    tenantId: ctx.app.tenantId,
    workflowId: workflow.id,
    graph: workflow.graph,
    inputs: runInputs,
    system: {
      files: sysFiles,
      user_id: endUser.sessionId,
      app_id: ctx.app.id,
      workflow_id: workflow.id,
      workflow_run_id: runId,
      timestamp: now,
    },
    environment: workflow.environment,
    conversationVariables: {},
    chat: null,
    userSessionId: endUser.sessionId,
    createdAt: now,
    rows: [runInsert({ id: runId, tenantId: ctx.app.tenantId, appId: ctx.app.id, workflowId: workflow.id, type: "workflow", inputs: requestFiles.inputs, endUserId: endUser.id, createdAt: now })],
    ...runSettings(deps),
  };
  const stream = await launchTask(deps, spec, true, discardFiles);
  return { taskId: runId, stream: stream! };
}
