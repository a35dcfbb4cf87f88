// Files of a chat or completion request (spec dify-web-api.md §8.2, §8.3): the request's `files`
// (used when the app's file_upload is enabled) and the values of `file` / `file-list` input
// variables, resolved to owned uploads; images become vision parts of the last user message;
// request files become message_files rows (belongs_to "user") and message_end `files`.
import { type Statement, statement } from "../../db/statements";
import type { Db } from "../../db/client";
import { type EndUser, messageFiles } from "../../db/schema";
import type { ContentPart } from "../../llm/types";
import type { FileSigner } from "../../lib/file-signing";
import { signedFileUrl } from "../../lib/file-signing";
import { discardFetchedFiles, imageContentPart, imageDetail, type ResolvedFile, type ResolveOptions, resolveFileInput, resolveMessageFiles } from "./input-files";
import { formVariables } from "../generation/inputs";
import { ssrfPolicy } from "../../lib/ssrf";
import type { Deps } from "../deps";

export interface RequestFiles {
  inputs: Record<string, unknown>;
  files: ResolvedFile[];
  imageParts: ContentPart[];
  /** Everything this request fetched into R2, to discard if the request fails before it starts. */
  fetched: ResolvedFile[];
}


/** Dify's serialised File (what conversation inputs hold for file variables). */
export function storedFile(file: ResolvedFile, tenantId: string): Record<string, unknown> {
  return {
    dify_model_identity: "__dify__file__",
    id: null,
    tenant_id: tenantId,
    type: file.type,
    transfer_method: file.transferMethod,
    remote_url: file.remoteUrl,
    related_id: file.uploadFileId,
    filename: file.filename,
    extension: file.extension ? `.${file.extension}` : "",
    mime_type: file.mimeType,
    size: file.size,
  };
}

export async function resolveRequestFiles(
  deps: Deps,
  tenantId: string,
  endUser: EndUser,
  request: { form: unknown[]; fileUpload: unknown; inputs: Record<string, unknown>; files: unknown },
  /** Workflow runs check declared against detected file types (Dify's strict_type_validation). */
  options: ResolveOptions = {},
): Promise<RequestFiles> {
  const fileDeps = { db: deps.db, bucket: deps.env.FILES, config: deps.config, policy: ssrfPolicy(deps.config), owner: { tenantId, endUserId: endUser.id } };
  const fetched: ResolvedFile[] = [];
  try {
    const inputs = { ...request.inputs };
    for (const variable of formVariables(request.form)) {
      if (variable.type !== "file" && variable.type !== "file-list") continue;
      const resolved = await resolveFileInput(fileDeps, { ...variable.config, type: variable.type }, inputs[variable.variable], options);
      const list = resolved === null ? [] : Array.isArray(resolved) ? resolved : [resolved];
      fetched.push(...list.filter((f) => f.fetched));
      inputs[variable.variable] = resolved === null ? null : Array.isArray(resolved) ? resolved.map((f) => storedFile(f, tenantId)) : storedFile(resolved, tenantId);
    }
    const files = await resolveMessageFiles(fileDeps, request.fileUpload, request.files, options);
    fetched.push(...files.filter((f) => f.fetched));
    const detail = imageDetail(request.fileUpload);
    const imageParts = await Promise.all(
      files
        .filter((f) => f.type === "image")
        .map((f) => imageContentPart({ bucket: deps.env.FILES, signer: deps.signer, format: deps.config.multimodalSendFormat }, f, detail)),
    );
    return { inputs, files, imageParts, fetched };
  } catch (err) {
    await discardFetchedFiles(fileDeps, fetched);
    throw err;
  }
}

export function discardRequestFiles(deps: Deps, files: RequestFiles): Promise<void> {
  return discardFetchedFiles({ db: deps.db, bucket: deps.env.FILES }, files.fetched);
}

export function messageFileRows(db: Db, messageId: string, endUserId: string, files: ResolvedFile[], now: number): Statement[] {
  return files.map((f) =>
    statement(db.insert(messageFiles).values({
      id: f.id,
      messageId,
      type: f.type,
      transferMethod: f.transferMethod,
      url: f.remoteUrl,
      belongsTo: "user",
      uploadFileId: f.uploadFileId,
      createdByRole: "end_user",
      createdBy: endUserId,
      createdAt: now,
    })),
  );
}

/** message_end `files` (Dify's MessageFileInfo). */
export async function messageEndFiles(files: ResolvedFile[], signer: FileSigner): Promise<Record<string, unknown>[]> {
  return Promise.all(
    files.map(async (f) => ({
      related_id: f.id,
      extension: f.extension ? `.${f.extension}` : "",
      filename: f.filename,
      size: f.size,
      mime_type: f.mimeType,
      transfer_method: f.transferMethod,
      type: f.type,
      url: f.transferMethod === "remote_url" && f.remoteUrl ? f.remoteUrl : await signedFileUrl(signer, f.uploadFileId),
      upload_file_id: f.uploadFileId,
      remote_url: f.remoteUrl,
    })),
  );
}
