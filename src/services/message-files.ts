// message_files of listed messages, in the MessageFile wire shape (spec §4.9): local uploads get a
// fresh signed preview URL, remote files keep their URL.
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { messageFiles, uploadFiles } from "../db/schema";
import { type FileSigner, signedFileUrl } from "./file-signing";

export interface MessageFileView {
  id: string;
  filename: string;
  type: string;
  url: string | null;
  mime_type: string | null;
  size: number | null;
  transfer_method: string;
  belongs_to: string | null;
  upload_file_id: string | null;
}

export async function messageFilesByMessage(db: Db, messageIds: string[], signer: FileSigner): Promise<Map<string, MessageFileView[]>> {
  const byMessage = new Map<string, MessageFileView[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .select({ file: messageFiles, upload: uploadFiles })
    .from(messageFiles)
    .leftJoin(uploadFiles, eq(uploadFiles.id, messageFiles.uploadFileId))
    .where(inArray(messageFiles.messageId, messageIds))
    .orderBy(messageFiles.createdAt)
    .all();
  for (const { file, upload } of rows) {
    const url = upload && file.transferMethod === "local_file" ? await signedFileUrl(signer, upload.id) : file.url;
    const view: MessageFileView = {
      id: file.id,
      filename: upload?.name ?? (file.url ? decodeURIComponent(new URL(file.url, "http://x").pathname.split("/").pop() ?? "") : ""),
      type: file.type,
      url,
      mime_type: upload?.mimeType ?? null,
      size: upload?.size ?? null,
      transfer_method: file.transferMethod,
      belongs_to: file.belongsTo,
      upload_file_id: file.uploadFileId,
    };
    byMessage.set(file.messageId, [...(byMessage.get(file.messageId) ?? []), view]);
  }
  return byMessage;
}

/** A message's user files as request mappings (to run the same request again). */
export async function messageFileMappings(db: Db, messageId: string): Promise<{ type: string; transfer_method: string; upload_file_id: string | null; url: string | null }[]> {
  const rows = await db.select().from(messageFiles).where(eq(messageFiles.messageId, messageId)).all();
  return rows
    .filter((f) => f.belongsTo !== "assistant")
    // A remote file was stored as an upload too: naming the upload avoids fetching it again.
    .map((f) => ({ type: f.type, transfer_method: f.transferMethod, upload_file_id: f.uploadFileId, url: f.url }));
}
