// Uploaded files (spec dify-web-api.md §4.22, FileService.upload_file): name rules, per-type size
// limits, storage at upload_files/<tenant>/<uuid>.<ext> in R2 and the upload_files row. The row is
// written only after the bytes are in R2, and the object is deleted again if the row cannot be
// written, so a failure leaves nothing behind.
import { and, eq, inArray } from "drizzle-orm";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { uploadFiles } from "../../db/schema";
import { FileExtensionBlocked, FileTooLarge, InvalidParam } from "../../lib/errors";
import { AUDIO_EXTENSIONS, extensionOf, fileTypeOf, type FileType, guessMimeType, IMAGE_EXTENSIONS, mediaType, VIDEO_EXTENSIONS } from "../../lib/file-types";
import { type FileSigner, signedFileUrl } from "../../lib/file-signing";
import { nowSeconds, uuid } from "../../lib/ids";
import { ObjectTooLarge, putStream } from "../../lib/r2-stream";

export type UploadFileRow = typeof uploadFiles.$inferSelect;

export interface UploadOwner {
  tenantId: string;
  endUserId: string;
}

export interface NamedFile {
  name: string;
  extension: string;
  mimeType: string;
  type: FileType;
}

const INVALID_FILENAME_CHARS = /[/\\:*?"<>|]/;
const MB = 1024 * 1024;

/** Dify's name rules: no path or shell characters; names over 200 characters are shortened its way. */
export function nameFile(filename: string, declaredType: string | null, blacklist: string[]): NamedFile {
  const extension = extensionOf(filename);
  if (INVALID_FILENAME_CHARS.test(filename)) throw new InvalidParam("Filename contains invalid characters");
  const name = filename.length > 200 ? `${filename.split(".")[0].slice(0, 200)}.${extension}` : filename;
  if (extension && blacklist.includes(extension)) throw new FileExtensionBlocked();
  // The client's type when it gave a real one; Workers cannot sniff, so the extension decides otherwise.
  const declared = mediaType(declaredType);
  const mimeType = declared && declared !== "application/octet-stream" ? declared : (guessMimeType(name) ?? (declared || "application/octet-stream"));
  return { name, extension, mimeType, type: fileTypeOf(extension, mimeType) };
}

/** The size limit for an extension class, in bytes (UPLOAD_*_FILE_SIZE_LIMIT, in MB). */
export function uploadSizeLimit(config: Config, extension: string): { bytes: number; label: string } {
  const [mb, label] = IMAGE_EXTENSIONS.has(extension)
    ? [config.uploadImageFileSizeLimitMb, "image"]
    : VIDEO_EXTENSIONS.has(extension)
      ? [config.uploadVideoFileSizeLimitMb, "video"]
      : AUDIO_EXTENSIONS.has(extension)
        ? [config.uploadAudioFileSizeLimitMb, "audio"]
        : [config.uploadFileSizeLimitMb, "other"];
  return { bytes: mb * MB, label: `File size exceeded. The limit for ${label} files is ${mb} MB.` };
}

/** Streams `body` into R2 and records it; 413 file_too_large (nothing stored) past the size limit. */
export async function storeUpload(
  deps: { db: Db; bucket: R2Bucket; config: Config },
  owner: UploadOwner,
  file: NamedFile,
  body: ReadableStream<Uint8Array>,
  sourceUrl = "",
): Promise<UploadFileRow> {
  const id = uuid();
  // Dify's key format, including the trailing dot of an extension-less name.
  const key = `upload_files/${owner.tenantId}/${id}.${file.extension}`;
  const limit = uploadSizeLimit(deps.config, file.extension);
  let stored;
  try {
    stored = await putStream(deps.bucket, key, body, { maxBytes: limit.bytes, contentType: file.mimeType });
  } catch (err) {
    if (err instanceof ObjectTooLarge) throw new FileTooLarge(limit.label);
    throw err;
  }
  const row: UploadFileRow = {
    id,
    tenantId: owner.tenantId,
    storageType: "r2",
    key,
    name: file.name,
    size: stored.size,
    extension: file.extension,
    mimeType: file.mimeType,
    createdByRole: "end_user",
    createdBy: owner.endUserId,
    createdAt: nowSeconds(),
    used: false,
    usedBy: null,
    usedAt: null,
    hash: stored.sha256,
    sourceUrl,
  };
  try {
    await deps.db.insert(uploadFiles).values(row);
  } catch (err) {
    await deps.bucket.delete(key).catch(() => {});
    throw err;
  }
  return row;
}

/** Deletes uploads (object and row), e.g. files fetched for a request that then failed. */
export async function deleteUploads(deps: { db: Db; bucket: R2Bucket }, rows: Pick<UploadFileRow, "id" | "key">[]): Promise<void> {
  if (rows.length === 0) return;
  await deps.bucket.delete(rows.map((row) => row.key));
  await deps.db.delete(uploadFiles).where(inArray(uploadFiles.id, rows.map((row) => row.id)));
}

/** The end user's own uploads among `ids` (one query); anyone else's id is simply absent. */
export async function ownedUploads(db: Db, owner: UploadOwner, ids: string[]): Promise<Map<string, UploadFileRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(uploadFiles)
    .where(
      and(
        inArray(uploadFiles.id, [...new Set(ids)]),
        eq(uploadFiles.tenantId, owner.tenantId),
        eq(uploadFiles.createdByRole, "end_user"),
        eq(uploadFiles.createdBy, owner.endUserId),
      ),
    )
    .all();
  return new Map(rows.map((row) => [row.id, row]));
}

/** POST /files/upload body (HITL Pydantic FileResponse; the optional keys are null here). */
export async function fileResponse(row: UploadFileRow, signer: FileSigner) {
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    extension: row.extension,
    mime_type: row.mimeType,
    created_by: row.createdBy,
    created_at: row.createdAt,
    preview_url: null,
    source_url: await signedFileUrl(signer, row.id),
    original_url: null,
    user_id: null,
    tenant_id: null,
    conversation_id: null,
    file_key: null,
  };
}

/** POST /remote-files/upload body (FileWithSignedUrl). */
export async function remoteFileResponse(row: UploadFileRow, signer: FileSigner) {
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    extension: row.extension,
    url: await signedFileUrl(signer, row.id),
    mime_type: row.mimeType,
    created_by: row.createdBy,
    created_at: row.createdAt,
  };
}
