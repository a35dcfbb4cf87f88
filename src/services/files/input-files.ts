// Files as inputs of chat, completion and workflow runs (spec dify-web-api.md §8.2, §8.3; Dify's
// factories/file_factory.build_from_mappings): validates and resolves the request's `files` and the
// values of `file` / `file-list` input variables. Mappings are {type, transfer_method, upload_file_id?,
// url?}. local_file needs an upload of the same end user (anyone else's id answers 404 exactly like
// a missing one); remote_url either names such an upload (what Dify's client sends after
// /remote-files/upload) or a URL, which is fetched through the SSRF guard into R2 as an upload of the
// end user. Errors are Dify's ValueError texts as 400 invalid_param. A failed call leaves nothing
// behind: files it fetched are deleted again.
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { InvalidParam, NotFound } from "../../lib/errors";
import { bytesToBase64 } from "../../lib/crypto";
import { FILE_TYPES, type FileType, fileTypeOf, guessMimeType } from "../../lib/file-types";
import { type FileSigner, signedFileUrl } from "../../lib/file-signing";
import { featureFileUploadConfig, type FileUploadConfig, isFileValidWithConfig, methodAllowed, type TransferMethod, variableFileUploadConfig } from "./file-upload-config";
import { isUuid, uuid } from "../../lib/ids";
import { importRemoteFile } from "./remote-files";
import type { SsrfPolicy } from "../../lib/ssrf";
import { deleteUploads, ownedUploads, type UploadFileRow, type UploadOwner } from "./upload-files";
import { isObject } from "../../lib/json";

export interface FileInputDeps {
  db: Db;
  bucket: R2Bucket;
  config: Config;
  /** ssrfPolicy(config) in production. */
  policy: SsrfPolicy;
  /** The caller: the app's tenant and the end user. */
  owner: UploadOwner;
}

export interface ResolvedFile {
  /** A fresh id, for the message_files row. */
  id: string;
  type: FileType;
  transferMethod: TransferMethod;
  uploadFileId: string;
  /** The URL a remote_url file came from; null for local files. */
  remoteUrl: string | null;
  filename: string;
  /** Lower-case, without the dot. */
  extension: string;
  mimeType: string;
  size: number;
  /** The R2 key of the bytes. */
  key: string;
  /** True when this call fetched the file (see discardFetchedFiles). */
  fetched: boolean;
}

export interface ResolveOptions {
  /** Workflow runs: a declared type must match the detected one (Dify's strict_type_validation). */
  strictType?: boolean;
}

interface Mapping {
  declaredType: string;
  transferMethod: TransferMethod;
  uploadFileId: string | null;
  url: string | null;
}

type Json = Record<string, unknown>;
const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

function parseMapping(value: unknown): Mapping {
  if (!isObject(value)) throw new InvalidParam("Invalid file mapping: expected an object");
  const method = value.transfer_method;
  if (method !== "local_file" && method !== "remote_url") throw new InvalidParam(`Invalid file transfer method: ${method === undefined || method === null ? "None" : String(method)}`);
  const declaredType = value.type === undefined || value.type === null ? "custom" : value.type;
  if (typeof declaredType !== "string" || !(FILE_TYPES as readonly string[]).includes(declaredType)) {
    throw new InvalidParam(`'${String(declaredType)}' is not a valid FileType`);
  }
  const uploadFileId = text(value.upload_file_id);
  if (method === "local_file" && !uploadFileId) throw new InvalidParam("Invalid upload file id");
  if (uploadFileId && !isUuid(uploadFileId)) throw new InvalidParam("Invalid upload file id format");
  const url = text(value.url) ?? text(value.remote_url);
  if (method === "remote_url" && !url && !uploadFileId) throw new InvalidParam("Invalid file url");
  return { declaredType, transferMethod: method, uploadFileId: uploadFileId?.toLowerCase() ?? null, url };
}

/** The same upload (or URL) named twice is one file: it is fetched, stored and sent once. */
const fileKey = (m: Mapping): string => (m.uploadFileId ? `id:${m.uploadFileId}` : `url:${m.url}`);

/** The file's type: the declared one unless it is custom; strict mode wants them to agree. */
function resolveType(declared: string, detected: FileType, options: ResolveOptions): FileType {
  if (declared === "custom") return detected;
  if (options.strictType && declared !== detected) throw new InvalidParam("Detected file type does not match the specified type. Please verify the file.");
  return declared as FileType;
}

function validated(mapping: Mapping, row: UploadFileRow, config: FileUploadConfig, options: ResolveOptions, fetched: boolean): ResolvedFile {
  const type = resolveType(mapping.declaredType, fileTypeOf(row.extension, row.mimeType), options);
  if (!isFileValidWithConfig({ type: mapping.declaredType, extension: row.extension, transferMethod: mapping.transferMethod }, config)) {
    throw new InvalidParam(`File validation failed for file: ${row.name}`);
  }
  return {
    id: uuid(),
    type,
    transferMethod: mapping.transferMethod,
    uploadFileId: row.id,
    remoteUrl: mapping.transferMethod === "remote_url" ? row.sourceUrl || mapping.url : null,
    filename: row.name,
    extension: row.extension,
    mimeType: row.mimeType ?? guessMimeType(row.name) ?? "application/octet-stream",
    size: row.size,
    key: row.key,
    fetched,
  };
}

/** Resolves file mappings against one config (Dify's build_from_mappings). */
export async function resolveFiles(deps: FileInputDeps, mappings: unknown[], config: FileUploadConfig, options: ResolveOptions = {}): Promise<ResolvedFile[]> {
  const all = mappings.map(parseMapping);
  // Limits count what the request named (as Dify does), duplicates included.
  if (config.numberLimits && all.length > config.numberLimits) throw new InvalidParam(`Number of files exceeds the maximum limit ${config.numberLimits}`);
  const occurrences = new Map<string, number>();
  for (const m of all) occurrences.set(fileKey(m), (occurrences.get(fileKey(m)) ?? 0) + 1);
  const parsed = all.filter((m, i) => all.findIndex((other) => fileKey(other) === fileKey(m)) === i);
  for (const mapping of parsed) {
    // Refuse a method the config does not allow before anything is fetched.
    if (mapping.declaredType !== "custom" && !methodAllowed({ type: mapping.declaredType, transferMethod: mapping.transferMethod }, config)) {
      throw new InvalidParam(`File validation failed for file: ${mapping.url ?? mapping.uploadFileId}`);
    }
  }
  const owned = await ownedUploads(deps.db, deps.owner, parsed.flatMap((m) => (m.uploadFileId ? [m.uploadFileId] : [])));
  const fetchedRows: UploadFileRow[] = [];
  try {
    const files: ResolvedFile[] = [];
    for (const mapping of parsed) {
      if (mapping.uploadFileId) {
        const row = owned.get(mapping.uploadFileId);
        if (!row) throw new NotFound("Invalid upload file");
        files.push(validated(mapping, row, config, options, false));
        continue;
      }
      const row = await importRemoteFile(deps, deps.owner, mapping.url!, (file) => {
        resolveType(mapping.declaredType, file.type, options);
        if (!isFileValidWithConfig({ type: mapping.declaredType, extension: file.extension, transferMethod: "remote_url" }, config)) {
          throw new InvalidParam(`File validation failed for file: ${file.name}`);
        }
      });
      fetchedRows.push(row);
      files.push(validated(mapping, row, config, options, true));
    }
    const images = files.reduce((n, f, i) => n + (f.type === "image" ? occurrences.get(fileKey(parsed[i]))! : 0), 0);
    if (config.image && images > config.image.numberLimits) {
      throw new InvalidParam(`Number of image files exceeds the maximum limit ${config.image.numberLimits}`);
    }
    return files;
  } catch (err) {
    await deleteUploads(deps, fetchedRows).catch(() => {});
    throw err;
  }
}

/** The request's `files`: [] when the app's file_upload is off (Dify ignores them then). */
export async function resolveMessageFiles(deps: FileInputDeps, fileUpload: unknown, files: unknown, options: ResolveOptions = {}): Promise<ResolvedFile[]> {
  if (files === undefined || files === null) return [];
  if (!Array.isArray(files)) throw new InvalidParam("files must be a list of file mappings");
  const config = featureFileUploadConfig(fileUpload);
  if (!config || files.length === 0) return [];
  return resolveFiles(deps, files, config, options);
}

/**
 * The value of a `file` or `file-list` input variable (`variable` is its entry in user_input_form).
 * Unset values ("" or null) give null; required-ness and defaults stay with the caller.
 */
export async function resolveFileInput(
  deps: FileInputDeps,
  variable: Json,
  value: unknown,
  options: ResolveOptions = {},
): Promise<ResolvedFile | ResolvedFile[] | null> {
  if (value === undefined || value === null || value === "") return null;
  const name = String(variable.variable ?? "");
  const config = variableFileUploadConfig(variable);
  if (variable.type === "file-list") {
    if (!Array.isArray(value) || !value.every(isObject)) throw new InvalidParam(`${name} in input form must be a list of files`);
    const max = typeof variable.max_length === "number" ? variable.max_length : 0;
    if (max && value.length > max) throw new InvalidParam(`${name} in input form must be less than ${max} files`);
    return resolveFiles(deps, value, config, options);
  }
  if (!isObject(value)) throw new InvalidParam(`${name} in input form must be a file`);
  const [file] = await resolveFiles(deps, [value], config, options);
  if (!file) throw new InvalidParam(`${name} in input form must be a file`);
  return file;
}

/** Deletes the files a resolve call fetched, for a pipeline that fails before it uses them. */
export async function discardFetchedFiles(deps: Pick<FileInputDeps, "db" | "bucket">, files: ResolvedFile[]): Promise<void> {
  await deleteUploads(deps, files.filter((f) => f.fetched).map((f) => ({ id: f.uploadFileId, key: f.key })));
}

/** The vision detail of the app's file_upload config ("high" unless it says "low"). */
export function imageDetail(fileUpload: unknown): "high" | "low" {
  return featureFileUploadConfig(fileUpload)?.image?.detail ?? "high";
}

export interface ImageContentPart {
  type: "image_url";
  image_url: { url: string; detail: "high" | "low" };
}

/**
 * An OpenAI-compatible image part for a resolved image: a base64 data URL read from R2
 * (MULTIMODAL_SEND_FORMAT=base64, the default) or a signed file URL the provider fetches ("url").
 */
export async function imageContentPart(
  deps: { bucket: R2Bucket; signer: FileSigner; format: "base64" | "url" },
  file: ResolvedFile,
  detail: "high" | "low",
): Promise<ImageContentPart> {
  if (deps.format === "url") return { type: "image_url", image_url: { url: await signedFileUrl(deps.signer, file.uploadFileId), detail } };
  const object = await deps.bucket.get(file.key);
  if (!object) throw new NotFound("Invalid upload file");
  const bytes = new Uint8Array(await object.arrayBuffer());
  const mimeType = file.mimeType.startsWith("image/") ? file.mimeType : (guessMimeType(file.filename) ?? "image/png");
  return { type: "image_url", image_url: { url: `data:${mimeType};base64,${bytesToBase64(bytes)}`, detail } };
}
