// POST /api/files/upload, body side (spec dify-web-api.md §4.22): reads the multipart stream part by
// part and streams the `file` part into R2 as it arrives. Dify's checks, in its order where the
// stream allows: no file → no_file_uploaded, a second file part → too_many_files, empty filename →
// filename_not_exists_error, then the name rules, the app's file config, and the size limit while
// streaming. Any failure after the bytes are stored deletes them again.
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { FilenameNotExists, FileTooLarge, NoFileUploaded, TooManyFiles, UnsupportedFileType } from "../../lib/errors";
import { MultipartReader, multipartBoundary, readField } from "../../lib/multipart";
import { DOCUMENT_EXTENSIONS } from "../../lib/file-types";
import { deleteUploads, type NamedFile, nameFile, storeUpload, type UploadFileRow, type UploadOwner } from "./upload-files";

export interface UploadBody {
  body: ReadableStream<Uint8Array> | null;
  contentType: string | undefined;
  contentLength: number | null;
}

// Room for the multipart framing and small fields around the file itself.
const FRAMING_ALLOWANCE = 64 * 1024;

function checkSource(source: string | null, file: NamedFile): void {
  // Dify: uploads for datasets must be documents; any other source value is ignored.
  if (source === "datasets" && !DOCUMENT_EXTENSIONS.has(file.extension)) throw new UnsupportedFileType();
}

export async function receiveUpload(
  deps: { db: Db; bucket: R2Bucket; config: Config },
  owner: UploadOwner,
  request: UploadBody,
  /** Throws when the app takes no such file (415). */
  accept: (file: NamedFile) => void,
): Promise<UploadFileRow> {
  const boundary = multipartBoundary(request.contentType);
  if (!boundary || !request.body) throw new NoFileUploaded();
  const { config } = deps;
  const largest = Math.max(config.uploadFileSizeLimitMb, config.uploadImageFileSizeLimitMb, config.uploadVideoFileSizeLimitMb, config.uploadAudioFileSizeLimitMb);
  if (request.contentLength !== null && request.contentLength > largest * 1024 * 1024 + FRAMING_ALLOWANCE) {
    throw new FileTooLarge(`File size exceeded. The largest upload allowed is ${largest} MB.`);
  }
  let stored: UploadFileRow | null = null;
  let named: NamedFile | null = null;
  let source: string | null = null;
  let fileParts = 0;
  try {
    for await (const part of new MultipartReader(request.body, boundary).parts()) {
      if (part.filename === null) {
        if (part.name === "source") source = await readField(part.body, 1024);
        continue;
      }
      if (++fileParts > 1) throw new TooManyFiles();
      if (part.name !== "file") continue;
      if (!part.filename) throw new FilenameNotExists();
      named = nameFile(part.filename, part.contentType, config.uploadFileExtensionBlacklist);
      checkSource(source, named);
      accept(named);
      stored = await storeUpload(deps, owner, named, part.body);
    }
    if (!stored || !named) throw new NoFileUploaded();
    checkSource(source, named);
    return stored;
  } catch (err) {
    if (stored) await deleteUploads(deps, [stored]).catch(() => {});
    throw err;
  }
}
