// Remote files (spec dify-web-api.md §4.23, §4.24): fetched only through the SSRF guard, named the
// way Dify's guess_file_info_from_response names them, checked against the size limit before the
// body is read when Content-Length is given and again while streaming into R2 (when it is absent or
// lies). Error messages carry the URL and the HTTP status, never what the host answered.
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { FileTooLarge } from "../../lib/errors";
import { extensionOf, guessExtension, guessMimeType, mediaType } from "../../lib/file-types";
import { fetchRemote, type RemoteResponse, type SsrfPolicy, unreachable } from "../../lib/ssrf";
import { type NamedFile, nameFile, storeUpload, type UploadFileRow, type UploadOwner, uploadSizeLimit } from "./upload-files";

export interface RemoteFileDeps {
  db: Db;
  bucket: R2Bucket;
  config: Config;
  policy: SsrfPolicy;
}

function contentLength(headers: Headers): number | null {
  const value = headers.get("Content-Length");
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

function lastPathSegment(url: URL): string {
  const segment = url.pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Filename and MIME type of a fetched file: URL path, else Content-Disposition, else a fresh id. */
export function remoteFileName(finalUrl: string, headers: Headers): { filename: string; mimeType: string } {
  const url = new URL(finalUrl);
  let filename = lastPathSegment(url);
  if (!filename) {
    const match = /filename="?([^";]+)"?/i.exec(headers.get("Content-Disposition") ?? "");
    if (match) filename = match[1].trim();
  }
  if (!filename) filename = crypto.randomUUID();
  const mimeType = guessMimeType(filename) ?? (mediaType(headers.get("Content-Type")) || "application/octet-stream");
  if (!extensionOf(filename)) filename = `${filename}.${guessExtension(mimeType) ?? "bin"}`;
  return { filename, mimeType };
}

/** GET /api/remote-files/{url}: HEAD, then GET when HEAD is not answered with 200. */
export async function probeRemoteFile(policy: SsrfPolicy, url: string): Promise<{ file_type: string; file_length: number }> {
  let res = await fetchRemote(url, policy, "HEAD");
  if (res.status !== 200) {
    res.body?.cancel().catch(() => {});
    res = await fetchRemote(url, policy, "GET");
  }
  res.body?.cancel().catch(() => {});
  if (res.status < 200 || res.status > 299) throw unreachable(url, `HTTP ${res.status}`);
  return { file_type: res.headers.get("Content-Type") ?? "application/octet-stream", file_length: contentLength(res.headers) ?? -1 };
}

/**
 * Fetches `url` into R2 as an upload of `owner` (source_url = the URL). `accept` judges the named
 * file before any body byte is read and throws to refuse it.
 */
export async function importRemoteFile(
  deps: RemoteFileDeps,
  owner: UploadOwner,
  url: string,
  accept: (file: NamedFile) => void,
): Promise<UploadFileRow> {
  const res: RemoteResponse = await fetchRemote(url, deps.policy, "GET");
  try {
    if (res.status !== 200) throw unreachable(url, `HTTP ${res.status}`);
    const { filename, mimeType } = remoteFileName(res.url, res.headers);
    const named = nameFile(filename, mimeType, deps.config.uploadFileExtensionBlacklist);
    accept(named);
    const limit = uploadSizeLimit(deps.config, named.extension);
    if ((contentLength(res.headers) ?? 0) > limit.bytes) throw new FileTooLarge(limit.label);
    return await storeUpload(deps, owner, named, res.body ?? new Response("").body!, url);
  } catch (err) {
    res.body?.cancel().catch(() => {});
    throw err;
  }
}
