// The request an HTTP node sends (spec §3.9), built in Dify's order: authorization key, URL, params,
// headers, body; then headers are assembled (user headers, the authorization header, the body type's
// default Content-Type). Every field is rendered with Dify's `.text` forms. Errors carry Dify's
// error_type names (InvalidURLError, AuthorizationConfigError, RequestBodyError, FileFetchError).
import { isObject } from "../../lib/json";
import { pyStr } from "../../llm/template";
import { type FileValue, isFile } from "../segments";
import { renderVariables } from "../template";
import { NodeError } from "../types";
import { asSelector, type VariablePool } from "../variable-pool";
import { type MultipartFile, mergeParams, multipartBody, newBoundary, urlencode } from "./form";
import { JsonBodyError, jsonBody } from "./json-body";

export const METHODS = ["get", "post", "put", "patch", "delete", "head"] as const;
/** What the DSL schema accepts; options validates but cannot run ("Invalid http method"). */
export const DECLARED_METHODS = new Set<string>([...METHODS, "options"]);
export const BODY_TYPES = new Set(["none", "form-data", "x-www-form-urlencoded", "raw-text", "json", "binary"]);
const DEFAULT_CONTENT_TYPE: Record<string, string> = {
  json: "application/json",
  "x-www-form-urlencoded": "application/x-www-form-urlencoded",
  "raw-text": "text/plain",
};

export interface BodyItem {
  key: string;
  type: string;
  value: string;
  file: string[];
}

export interface HttpRequestPlan {
  method: string;
  url: string;
  /** Header names as the user wrote them; one entry per name. */
  headers: [string, string][];
  body: Uint8Array | null;
  /** Dify's process_data.request: the raw request, authorization masked, file bodies summarised. */
  log: string;
}

const encoder = new TextEncoder();
const fail = (errorType: string, message: string): never => {
  throw new NodeError(message, errorType);
};

/** Python's str.splitlines separators. */
const LINES = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** body.data as items: absent → none, a legacy string → one text item (Dify's compatibility rule). */
export function bodyItems(raw: unknown): BodyItem[] {
  if (!raw) return [];
  if (typeof raw === "string") return [{ key: "", type: "text", value: raw, file: [] }];
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((item) => ({
    key: typeof item.key === "string" ? item.key : "",
    type: item.type === "file" ? "file" : "text",
    value: typeof item.value === "string" ? item.value : item.value === undefined || item.value === null ? "" : String(item.value),
    file: asSelector(item.file) ?? [],
  }));
}

function single(items: BodyItem[], type: string): BodyItem {
  if (items.length !== 1) fail("RequestBodyError", `${type} body type should have exactly one item`);
  return items[0];
}

/** A file is sendable when it has stored bytes or a remote URL (Dify skips the rest). */
const sendable = (f: FileValue) => Boolean(f.related_id) || (f.transfer_method === "remote_url" && Boolean(f.remote_url));

interface Body {
  bytes: Uint8Array | null;
  contentType: string | null;
  /** Replaces any Content-Type the user set (multipart needs its boundary). */
  forceContentType: boolean;
  log: string;
}

async function buildBody(data: Record<string, unknown>, pool: VariablePool, readFile: (f: FileValue) => Promise<Uint8Array>): Promise<Body | null> {
  if (!isObject(data.body)) return null;
  const type = String(data.body.type ?? "none");
  const items = bodyItems(data.body.data);
  const text = (t: string) => renderVariables(t, pool);
  const download = async (file: FileValue) => {
    try {
      return await readFile(file);
    } catch (err) {
      return fail("FileFetchError", `cannot read file ${file.filename}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  switch (type) {
    case "none":
      return { bytes: null, contentType: null, forceContentType: false, log: "" };
    case "raw-text": {
      const content = text(single(items, "raw-text").value);
      return { bytes: encoder.encode(content), contentType: DEFAULT_CONTENT_TYPE[type], forceContentType: false, log: content };
    }
    case "json": {
      const rendered = text(single(items, "json").value);
      let content: string;
      try {
        content = jsonBody(rendered);
      } catch (err) {
        return fail("RequestBodyError", err instanceof JsonBodyError ? err.message : `Failed to parse JSON: ${rendered}`);
      }
      return { bytes: encoder.encode(content), contentType: DEFAULT_CONTENT_TYPE[type], forceContentType: false, log: content };
    }
    case "binary": {
      const item = single(items, "binary");
      const lookup = pool.get(item.file);
      if (!lookup.found || !isFile(lookup.value)) return fail("FileFetchError", `cannot fetch file with selector ${pyStr(item.file)}`);
      const bytes = await download(lookup.value);
      return { bytes, contentType: null, forceContentType: false, log: `<binary_content: size=${bytes.length} bytes>` };
    }
    case "x-www-form-urlencoded": {
      // A dict in Dify: a repeated key keeps its first position and its last value.
      const fields = new Map<string, string>();
      for (const item of items) fields.set(text(item.key), text(item.value));
      const content = urlencode([...fields]);
      return { bytes: encoder.encode(content), contentType: DEFAULT_CONTENT_TYPE[type], forceContentType: false, log: content };
    }
    case "form-data": {
      const fields = new Map<string, string>();
      const selectors = new Map<string, string[]>();
      for (const item of items) {
        if (item.type === "text") fields.set(text(item.key), text(item.value));
        else selectors.set(text(item.key), item.file);
      }
      const files: MultipartFile[] = [];
      for (const [name, selector] of selectors) {
        const value = pool.get(selector).value;
        const list = isFile(value) ? [value] : Array.isArray(value) ? value.filter(isFile) : [];
        for (const file of list.filter(sendable)) {
          files.push({ name, filename: file.filename, mimeType: file.mime_type || "application/octet-stream", bytes: await download(file) });
        }
      }
      const boundary = newBoundary();
      const bytes = multipartBody(boundary, [...fields], files);
      const log = [
        ...[...fields].map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
        ...files.map((f) => `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"\r\n\r\n<file_content_binary: '${f.filename || "unknown"}', type='${f.mimeType}', size=${f.bytes.length} bytes>\r\n`),
        `--${boundary}--\r\n`,
      ].join("");
      return { bytes, contentType: `multipart/form-data; boundary=${boundary}`, forceContentType: true, log };
    }
    default:
      return fail("RequestBodyError", `Unsupported body type "${type}"`);
  }
}

interface Authorization {
  header: string;
  value: string;
}

function authorization(data: Record<string, unknown>, pool: VariablePool): Authorization | null {
  const auth = isObject(data.authorization) ? data.authorization : { type: "no-auth" };
  if (auth.type !== "api-key") return null;
  const config = auth.config;
  if (!isObject(config)) return fail("AuthorizationConfigError", "authorization config is required");
  const key = renderVariables(typeof config.api_key === "string" ? config.api_key : "", pool);
  if (!key.trim()) return fail("AuthorizationConfigError", "API key is required for authorization but was empty. Please provide a valid API key.");
  const header = typeof config.header === "string" && config.header ? config.header : "Authorization";
  switch (config.type) {
    case "bearer":
      return { header, value: `Bearer ${key}` };
    case "basic":
      // Dify base64-encodes only a "user:password" pair; anything else is sent as given.
      return { header, value: `Basic ${key.includes(":") ? btoa(String.fromCharCode(...encoder.encode(key))) : key}` };
    case "custom":
      return { header, value: key };
    default:
      return fail("AuthorizationConfigError", `Unknown authorization type "${String(config.type)}"`);
  }
}

/** headers: the whole text rendered first, then one `name: value` per line (Dify's order). */
function userHeaders(raw: unknown, pool: VariablePool): Map<string, [string, string]> {
  const headers = new Map<string, [string, string]>();
  const text = renderVariables(typeof raw === "string" ? raw : "", pool);
  for (const line of text.split(LINES)) {
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    const value = colon < 0 ? "" : line.slice(colon + 1).trim();
    if (name) headers.set(name.toLowerCase(), [name, value]);
  }
  return headers;
}

/** params: one `key: value` per line, each side rendered on its own; repeated keys are kept. */
function params(raw: unknown, pool: VariablePool): [string, string][] {
  const out: [string, string][] = [];
  for (const line of (typeof raw === "string" ? raw : "").split(LINES)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const colon = trimmed.indexOf(":");
    const key = (colon < 0 ? trimmed : trimmed.slice(0, colon)).trim();
    if (!key) continue;
    out.push([renderVariables(key, pool), renderVariables(colon < 0 ? "" : trimmed.slice(colon + 1).trim(), pool)]);
  }
  return out;
}

export async function buildRequest(data: Record<string, unknown>, pool: VariablePool, readFile: (f: FileValue) => Promise<Uint8Array>): Promise<HttpRequestPlan> {
  const auth = authorization(data, pool);
  const rendered = renderVariables(typeof data.url === "string" ? data.url : "", pool);
  if (!rendered) fail("InvalidURLError", "url is required");
  if (!rendered.startsWith("http://") && !rendered.startsWith("https://")) fail("InvalidURLError", "url should start with http:// or https://");
  let parsed: URL;
  try {
    parsed = new URL(rendered);
  } catch {
    return fail("InvalidURLError", `Invalid URL: ${rendered}`);
  }
  const url = mergeParams(parsed, params(data.params, pool));
  const headers = userHeaders(data.headers, pool);
  const method = String(data.method ?? "get").toLowerCase();
  const body = await buildBody(data, pool, readFile);
  if (auth) headers.set(auth.header.toLowerCase(), [auth.header, auth.value]);
  if (body?.contentType && (body.forceContentType || !headers.has("content-type"))) headers.set("content-type", ["Content-Type", body.contentType]);
  // fetch cannot send a body with GET or HEAD (httpx can); such a body is dropped.
  const bytes = method === "get" || method === "head" ? null : (body?.bytes ?? null);
  const list = [...headers.values()];
  return { method, url, headers: list, body: bytes, log: requestLog(method, new URL(url), list, auth, bytes ? (body?.log ?? "") : "") };
}

function requestLog(method: string, url: URL, headers: [string, string][], auth: Authorization | null, body: string): string {
  let raw = `${method.toUpperCase()} ${url.pathname || "/"}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of headers) {
    const masked = auth && name.toLowerCase() === auth.header.toLowerCase() ? "*".repeat(value.length) : value;
    raw += `${name}: ${masked}\r\n`;
  }
  if (body) raw += `Content-Length: ${body.length}\r\n`;
  return `${raw}\r\n${body}`;
}
