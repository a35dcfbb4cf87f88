// What every workflow and chatflow run takes from the request's worker: the published workflow, the
// settings and runtime parts of its TaskRunner spec, the sys.* values and the file values (signed URLs).
import type { Deps } from "../deps";
import type { AppContext } from "../apps/app-registry";
import { AppUnavailable, InvalidParam } from "../../lib/errors";
import { signedFileUrl } from "../../lib/file-signing";
import { isObject } from "../../lib/json";
import type { ResolvedFile } from "../files/input-files";
import { storedFile } from "../files/request-files";
import type { WorkflowSpec } from "../../workflow/program";
import type { FileValue, Json } from "../../workflow/segments";
import { taskLimits } from "../generation/generation";

export interface PublishedWorkflow {
  id: string;
  graph: Json;
  features: Json;
  environment: Json[];
  conversationVariables: Json[];
}

export function publishedWorkflow(ctx: AppContext): PublishedWorkflow {
  const workflow = ctx.workflow;
  // Dify: "Workflow not published" (400 invalid_param); import publishes, so only a broken app has none.
  if (!workflow) throw new InvalidParam("Workflow not published");
  if (!isObject(workflow.graph)) throw new AppUnavailable();
  return {
    id: workflow.id,
    graph: workflow.graph as Json,
    features: (workflow.features ?? {}) as Json,
    environment: (workflow.environmentVariables ?? []) as Json[],
    conversationVariables: (workflow.conversationVariables ?? []) as Json[],
  };
}

/** A resolved request file as the pool's file value, with a signed URL nodes and answers can use. */
export async function fileValue(deps: Deps, file: ResolvedFile, tenantId: string): Promise<FileValue> {
  const url = file.transferMethod === "remote_url" && file.remoteUrl ? file.remoteUrl : await signedFileUrl(deps.signer, file.uploadFileId);
  return { ...(storedFile(file, tenantId) as unknown as FileValue), url };
}

/** File inputs (already Dify file dicts) get their signed URLs for the run. */
export async function withFileUrls(deps: Deps, inputs: Json): Promise<Json> {
  const sign = async (value: unknown): Promise<unknown> => {
    if (isObject(value) && value.dify_model_identity === "__dify__file__") {
      const related = typeof value.related_id === "string" ? value.related_id : null;
      const url = value.transfer_method === "remote_url" && typeof value.remote_url === "string" ? value.remote_url : related ? await signedFileUrl(deps.signer, related) : null;
      return { ...value, url };
    }
    return Array.isArray(value) ? Promise.all(value.map(sign)) : value;
  };
  return Object.fromEntries(await Promise.all(Object.entries(inputs).map(async ([k, v]) => [k, await sign(v)])));
}

export function runSettings(deps: Deps): Pick<WorkflowSpec, "settings" | "runtime" | "limits"> {
  const { config } = deps;
  return {
    settings: config.workflow,
    limits: taskLimits(config),
    runtime: {
      defaultModelProvider: config.defaultModelProvider,
      filesBaseUrl: deps.signer.baseUrl,
      filesAccessTimeout: deps.signer.accessTimeout,
      webBaseUrl: deps.webOrigin,
      ssrf: {
        allowedHosts: config.ssrfAllowedHosts,
        dnsResolver: config.ssrfDnsResolver,
        timeoutSeconds: Math.max(config.remoteFileTimeout, config.workflow.httpMaxReadTimeout),
        maxRedirects: config.remoteFileMaxRedirects,
      },
    },
  };
}
