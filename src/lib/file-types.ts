// File names, extensions, MIME types and Dify's file type classes (api/constants/__init__.py,
// factories/file_factory.py). Extensions are kept lower-case and without the leading dot.

export const FILE_TYPES = ["image", "document", "audio", "video", "custom"] as const;
export type FileType = (typeof FILE_TYPES)[number];

export const IMAGE_EXTENSIONS = new Set(["jpg", "jpeg", "png", "webp", "gif", "svg"]);
export const VIDEO_EXTENSIONS = new Set(["mp4", "mov", "mpeg", "webm"]);
export const AUDIO_EXTENSIONS = new Set(["mp3", "m4a", "wav", "amr", "mpga"]);
// Dify's default ETL document list (ETL_TYPE=dify).
export const DOCUMENT_EXTENSIONS = new Set(["txt", "markdown", "md", "mdx", "pdf", "html", "htm", "xlsx", "xls", "docx", "csv", "vtt", "properties"]);

const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  svg: "image/svg+xml",
  bmp: "image/bmp",
  ico: "image/vnd.microsoft.icon",
  tif: "image/tiff",
  tiff: "image/tiff",
  mp4: "video/mp4",
  mov: "video/quicktime",
  mpeg: "video/mpeg",
  webm: "video/webm",
  mp3: "audio/mpeg",
  mpga: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/x-wav",
  amr: "audio/amr",
  ogg: "audio/ogg",
  flac: "audio/flac",
  txt: "text/plain",
  md: "text/markdown",
  markdown: "text/markdown",
  mdx: "text/markdown",
  html: "text/html",
  htm: "text/html",
  csv: "text/csv",
  vtt: "text/vtt",
  xml: "application/xml",
  json: "application/json",
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  epub: "application/epub+zip",
  eml: "message/rfc822",
  zip: "application/zip",
  properties: "text/plain",
};

// The extension Python's mimetypes.guess_extension answers for the common types (first wins).
const EXTENSION_BY_MIME: Record<string, string> = {
  "image/jpeg": "jpg",
  "audio/mp3": "mp3",
  "audio/x-m4a": "m4a",
  "audio/wav": "wav",
  "audio/wave": "wav",
  "text/plain": "txt",
  "text/markdown": "md",
  "text/html": "html",
};
for (const [ext, mime] of Object.entries(MIME_BY_EXTENSION)) EXTENSION_BY_MIME[mime] ??= ext;

/** The bare media type: parameters dropped, lower-cased ("Text/HTML; charset=x" → "text/html"). */
// RFC 9110 media type: token "/" token. Anything else (control characters, NUL, non-ASCII, spaces)
// is not a media type and must never reach a stored row or a Content-Type header.
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** The lower-cased `type/subtype` of a Content-Type value, or "" when it is not a valid media type. */
export function mediaType(contentType: string | null | undefined): string {
  const value = (contentType ?? "").split(";")[0].trim().toLowerCase();
  return MEDIA_TYPE.test(value) ? value : "";
}

/** Python's os.path.splitext(name)[1] without the dot, lower-cased: "a.tar.GZ" → "gz", ".bashrc" → "". */
export function extensionOf(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return "";
  return base.slice(dot + 1).toLowerCase();
}

/** "pdf", ".PDF" and "PDF" all normalise to "pdf" (Dify stores allowed extensions as ".PDF"). */
export const normalizeExtension = (ext: string): string => ext.trim().replace(/^\.+/, "").toLowerCase();

export function guessMimeType(filename: string): string | null {
  return MIME_BY_EXTENSION[extensionOf(filename)] ?? null;
}

export function guessExtension(mimeType: string): string | null {
  return EXTENSION_BY_MIME[mediaType(mimeType)] ?? null;
}

/** Dify's _standardize_file_type: the extension decides, then the MIME type, else custom. */
export function fileTypeOf(extension: string, mimeType: string | null): FileType {
  const ext = normalizeExtension(extension);
  if (IMAGE_EXTENSIONS.has(ext)) return "image";
  if (VIDEO_EXTENSIONS.has(ext)) return "video";
  if (AUDIO_EXTENSIONS.has(ext)) return "audio";
  if (DOCUMENT_EXTENSIONS.has(ext)) return "document";
  const mime = mimeType ?? "";
  if (mime.includes("image")) return "image";
  if (mime.includes("video")) return "video";
  if (mime.includes("audio")) return "audio";
  if (mime.includes("text") || mime.includes("pdf")) return "document";
  return "custom";
}
