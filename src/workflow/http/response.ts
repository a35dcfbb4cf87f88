// Reading an HTTP node's response (spec §3.9): is it a file (Dify's Response.is_file rules), the size
// limit that applies (HTTP_REQUEST_NODE_MAX_BINARY_SIZE for files, _MAX_TEXT_SIZE for text) enforced
// while streaming and before reading when Content-Length says so, the read timeout between chunks,
// the text decoded by its charset, and the headers as Dify outputs them (lower-case names).
import { NodeError } from "../types";
import { concatBytes } from "./form";

const TEXT_APPLICATION_TYPES = ["json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "graphql"];
const TEXT_MARKERS = ["{", "[", "<", "function", "var ", "const ", "let "].map((m) => new TextEncoder().encode(m));
const SNIFF_BYTES = 1024;

export interface Disposition {
  type: string;
  filename: string | null;
}

/** Content-Disposition's type and filename (filename* per RFC 5987 first, as Python's get_filename). */
export function parseDisposition(header: string | null): Disposition | null {
  if (!header) return null;
  const [type, ...rest] = header.split(";");
  const params = new Map<string, string>();
  for (const match of rest.join(";").matchAll(/([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
    let value = match[2].trim();
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    params.set(match[1].toLowerCase(), value);
  }
  let filename = params.get("filename") ?? null;
  const extended = params.get("filename*");
  if (extended) {
    const m = /^([^']*)'[^']*'(.*)$/.exec(extended);
    try {
      filename = m ? new TextDecoder(m[1] || "utf-8").decode(percentDecoded(m[2])) : extended;
    } catch {
      // keep the plain filename
    }
  }
  return { type: type.trim().toLowerCase(), filename: filename || null };
}

function percentDecoded(text: string): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(...encoder.encode(text[i]));
  }
  return Uint8Array.from(out);
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Dify's "looks like UTF-8 text": the first 1024 bytes decode (a cut character fails, as in Dify) and hold a marker. */
function looksLikeText(sample: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(sample);
  } catch {
    return false;
  }
  return TEXT_MARKERS.some((m) => contains(sample, m));
}

/**
 * Response.is_file: an attachment (or any disposition with a filename) is a file; text/* is not;
 * application/* is text when its subtype names a text format or its first bytes look like UTF-8
 * code or markup, else a file; image/, audio/ and video/ are files. Dify also asks Python's MIME
 * table whether an application/* type is known and treats unknown ones as text; here every
 * non-text application/* body is a file (a binary body decoded as text helps no one).
 */
export function isFileResponse(contentType: string, disposition: Disposition | null, sample: Uint8Array): boolean {
  if (disposition && (disposition.type === "attachment" || disposition.filename !== null)) return true;
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (type.startsWith("text/")) return false;
  if (type.startsWith("application/")) {
    if (TEXT_APPLICATION_TYPES.some((t) => type.includes(t))) return false;
    return !looksLikeText(sample);
  }
  return type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/");
}

function readable(size: number): string {
  if (size < 1024) return `${size} bytes`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(2)} KB`;
  return `${(size / 1024 / 1024).toFixed(2)} MB`;
}

function tooLarge(isFile: boolean, limit: number, size: number, atLeast: boolean): NodeError {
  const current = `${atLeast ? "more than " : ""}${readable(size)}`;
  return new NodeError(`${isFile ? "File" : "Text"} size is too large, max size is ${(limit / 1024 / 1024).toFixed(2)} MB, but current size is ${current}.`, "ResponseSizeError");
}

export interface ReadResponse {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  disposition: Disposition | null;
  isFile: boolean;
  bytes: Uint8Array;
}

export interface ReadLimits {
  maxText: number;
  maxBinary: number;
  /** Longest wait for the next body chunk, ms. */
  readTimeoutMs: number;
  signal: AbortSignal;
  url: string;
}

/** Headers as Dify's `dict(response.headers)`: lower-case names, repeated headers joined by ", ". */
export function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  // Iterating Headers yields each Set-Cookie on its own; Dify joins them like any repeated header.
  const cookies = (headers as unknown as { getSetCookie(): string[] }).getSetCookie();
  for (const [name, value] of headers) out[name] = name === "set-cookie" ? cookies.join(", ") : value;
  return out;
}

async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>, limits: ReadLimits): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let onAbort: (() => void) | undefined;
  if (limits.signal.aborted) throw limits.signal.reason ?? new DOMException("stopped", "AbortError");
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NodeError(`Reading the response of ${limits.url} timed out: no data for ${limits.readTimeoutMs / 1000} s`, "HttpRequestNodeError")), limits.readTimeoutMs);
    onAbort = () => reject(limits.signal.reason ?? new DOMException("stopped", "AbortError"));
    limits.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([reader.read(), stop]);
  } finally {
    if (timer !== null) clearTimeout(timer);
    if (onAbort) limits.signal.removeEventListener("abort", onAbort);
  }
}

export async function readResponse(response: Response, limits: ReadLimits): Promise<ReadResponse> {
  const contentType = response.headers.get("content-type") ?? "";
  const disposition = parseDisposition(response.headers.get("content-disposition"));
  const chunks: Uint8Array[] = [];
  let size = 0;
  let isFile: boolean | null = null;
  const declared = Number(response.headers.get("content-length") ?? NaN);
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const { done, value } = reader ? await nextChunk(reader, limits) : { done: true, value: undefined };
      if (value) {
        chunks.push(value);
        size += value.length;
      }
      // Classify once the first 1024 bytes (or the whole body) are in: application/* needs a sample.
      if (isFile === null && (done || size >= SNIFF_BYTES)) {
        isFile = isFileResponse(contentType, disposition, concatBytes(chunks).subarray(0, SNIFF_BYTES));
        const limit = isFile ? limits.maxBinary : limits.maxText;
        if (Number.isFinite(declared) && declared > limit) throw tooLarge(isFile, limit, declared, false);
      }
      if (isFile !== null) {
        const limit = isFile ? limits.maxBinary : limits.maxText;
        if (size > limit) throw tooLarge(isFile, limit, size, !done);
      }
      if (done) break;
    }
  } finally {
    reader?.cancel().catch(() => {});
  }
  return { status: response.status, headers: headerObject(response.headers), contentType, disposition, isFile: isFile ?? false, bytes: concatBytes(chunks) };
}

/** httpx's response.text: the charset of Content-Type, else UTF-8; undecodable bytes replaced. */
export function decodeText(bytes: Uint8Array, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}
