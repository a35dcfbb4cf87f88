// message_files of listed messages, in the MessageFile wire shape (spec §4.9): local uploads get a
// fresh signed preview URL, remote files keep their URL.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { messageFiles } from "../../db/schema";
import { type FileSigner, signedFileUrl } from "../../lib/file-signing";

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

type FileRow = {
  file: typeof messageFiles.$inferSelect;
  uploadId: string | null;
  uploadName: string | null;
  uploadMimeType: string | null;
  uploadSize: number | null;
};

/** Groups file rows (message_files left-joined with upload_files) by message, in the wire shape. */
export async function messageFileViews(rows: FileRow[], signer: FileSigner): Promise<Map<string, MessageFileView[]>> {
  const byMessage = new Map<string, MessageFileView[]>();
  for (const { file, uploadId, uploadName, uploadMimeType, uploadSize } of rows) {
    const url = uploadId && file.transferMethod !== "remote_url" ? await signedFileUrl(signer, uploadId) : file.url;
    const view: MessageFileView = {
      id: file.id,
      filename: uploadName ?? (file.url ? decodeURIComponent(new URL(file.url, "http://x").pathname.split("/").pop() ?? "") : ""),
      type: file.type,
      url,
      mime_type: uploadMimeType,
      size: uploadSize,
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
