// GET /files/{id}/file-preview (Dify's FilePreviewApi): streams an upload from R2 to whoever holds a
// valid signed URL, with byte ranges (media players seek with them). Beyond Dify: a bad or expired
// signature answers 403 (Dify: 404), and every preview is sandboxed (CSP sandbox, nosniff) with HTML
// forced to download, so an uploaded page cannot run script on this origin.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { uploadFiles } from "../../db/schema";
import { Forbidden, NotFound, RangeNotSatisfiable } from "../../lib/errors";
import { type FileSigner, verifyFileSignature } from "../../lib/file-signing";
import { mediaType } from "../../lib/file-types";

export interface ByteRange {
  offset: number;
  length: number;
}

// 416 that remembers the object size for the Content-Range header (bytes */<size>).
export class UnsatisfiableRange extends RangeNotSatisfiable {
  constructor(readonly size: number) {
    super();
  }
}

const FORCED_DOWNLOAD_TYPES = new Set(["text/html", "application/xhtml+xml"]);

/**
 * One byte range of a `Range: bytes=…` header against an object of `size` bytes. Headers that do not
 * parse, or ask for several ranges, are ignored (RFC 9110 allows serving the whole object instead).
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange | "unsatisfiable" | null {
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? "");
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== "" && Number(match[2]) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { offset: start, length: end - start + 1 };
}

/** Python's urllib.parse.quote for the RFC 5987 `filename*` value. */
const quoteFilename = (name: string): string =>
  encodeURIComponent(name).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

export interface PreviewRequest {
  fileId: string;
  timestamp: string;
  nonce: string;
  sign: string;
  asAttachment: boolean;
  range: string | null;
}

export async function filePreview(deps: { db: Db; bucket: R2Bucket; signer: FileSigner }, request: PreviewRequest): Promise<Response> {
  const valid = await verifyFileSignature(deps.signer, request.fileId, request);
  if (!valid) throw new Forbidden("The file signature is invalid or has expired.");
  const row = await deps.db.select().from(uploadFiles).where(eq(uploadFiles.id, request.fileId)).get();
  if (!row) throw new NotFound("File not found or signature is invalid");
  const range = parseRange(request.range, row.size);
  if (range === "unsatisfiable") throw new UnsatisfiableRange(row.size);
  const object = await deps.bucket.get(row.key, range ? { range } : undefined);
  if (!object) throw new NotFound("File not found or signature is invalid");
  // Rows stored before media types were validated may hold values that are not valid headers.
  const mimeType = mediaType(row.mimeType) || "application/octet-stream";
  const download = request.asAttachment || FORCED_DOWNLOAD_TYPES.has(mimeType);
  const headers = new Headers({
    "Content-Type": request.asAttachment ? "application/octet-stream" : mimeType,
    "Content-Disposition": `${download ? "attachment" : "inline"}; filename*=UTF-8''${quoteFilename(row.name)}`,
    "Content-Length": String(range ? range.length : object.size),
    "Accept-Ranges": "bytes",
    ETag: object.httpEtag,
    // The signed URL itself is the credential: keep copies out of shared caches.
    "Cache-Control": `private, max-age=${deps.signer.accessTimeout}`,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
  });
  if (range) headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${object.size}`);
  return new Response(object.body, { status: range ? 206 : 200, headers });
}
