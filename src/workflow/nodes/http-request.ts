// http-request (spec §3.9): one request through the SSRF guard (services.fetch re-checks every hop and
// follows redirects; a refused address throws before anything is sent), the response read within the
// node's timeouts and Dify's size limits, a file response saved as the end user's file. A non-2xx
// status is a success — unless the node has an error strategy or retries, then it fails with
// HTTPResponseCodeError and still carries status_code, body, headers and files.
//
// Timeouts: fetch has no separate connect and write phases, so the response headers must arrive
// within connect + read seconds (+ write when there is a body), and each body chunk within read
// seconds. The node's values are capped by HTTP_REQUEST_MAX_*_TIMEOUT (Dify does not cap them);
// missing or 0 means the cap. ssl_verify cannot be turned off in a Worker: certificates are always
// checked.
import { isObject } from "../../lib/json";
import { guessExtension, guessMimeType, mediaType } from "../../lib/file-types";
import { BODY_TYPES, bodyItems, buildRequest, DECLARED_METHODS, METHODS } from "../http/request";
import { decodeText, readResponse } from "../http/response";
import type { FileValue } from "../segments";
import { templateSelectors } from "../template";
import { NodeError, type NodeDefinition, type WorkflowSettings } from "../types";

const DEFAULT_HEADERS: [string, string][] = [
  ["Accept", "*/*"],
  // Some APIs refuse requests without one; Dify's client always sends its own.
  ["User-Agent", "Dify-Workflow-HTTP"],
];

function timeouts(raw: unknown, settings: WorkflowSettings) {
  const t = isObject(raw) ? raw : {};
  const pick = (value: unknown, max: number) => {
    const n = Number(value);
    return Number.isFinite(n) && n > 0 ? Math.min(n, max) : max;
  };
  return {
    connect: pick(t.connect, settings.httpMaxConnectTimeout),
    read: pick(t.read, settings.httpMaxReadTimeout),
    write: pick(t.write, settings.httpMaxWriteTimeout),
  };
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Waits for `promise`, or rejects as soon as `signal` aborts (even if the promise ignores it). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

class Timeout extends Error {}

function fileName(disposition: string | null, mimeType: string): string {
  if (disposition) return disposition;
  // Dify names a response file by a fresh id and the extension of its MIME type.
  return `${crypto.randomUUID().replace(/-/g, "")}.${guessExtension(mimeType) ?? "bin"}`;
}

export const httpRequestNode: NodeDefinition = {
  type: "http-request",
  retries: true,
  check: checkHttpRequest,
  async run({ node, pool, services, signal }) {
    const data = node.data;
    const plan = await buildRequest(data, pool, (file) => services.readFile(file));
    if (!(METHODS as readonly string[]).includes(plan.method)) throw new NodeError(`Invalid http method ${String(data.method)}`, "InvalidHttpMethodError");
    const limits = timeouts(data.timeout, services.settings);
    let headers: Headers;
    try {
      headers = new Headers(plan.headers);
    } catch (err) {
      throw new NodeError(`Invalid request header: ${describe(err)}`, "HttpRequestNodeError");
    }
    for (const [name, value] of DEFAULT_HEADERS) if (!headers.has(name)) headers.set(name, value);

    const controller = new AbortController();
    const stop = () => controller.abort(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    const waitSeconds = limits.connect + limits.read + (plan.body ? limits.write : 0);
    const timer = setTimeout(() => controller.abort(new Timeout()), waitSeconds * 1000);
    try {
      let response: Response;
      try {
        response = await abortable(services.fetch(plan.url, { method: plan.method.toUpperCase(), headers, body: plan.body, signal: controller.signal }), controller.signal);
      } catch (err) {
        if (signal.aborted) throw err;
        if (controller.signal.reason instanceof Timeout) throw new NodeError(`Request to ${plan.url} timed out: no response within ${waitSeconds} s`, "HttpRequestNodeError");
        throw new NodeError(`Request to ${plan.url} failed: ${describe(err)}`, "HttpRequestNodeError");
      } finally {
        clearTimeout(timer);
      }
      const read = await readResponse(response, {
        maxText: services.settings.httpMaxTextSize,
        maxBinary: services.settings.httpMaxBinarySize,
        readTimeoutMs: limits.read * 1000,
        signal: controller.signal,
        url: plan.url,
      });
      const files: FileValue[] = [];
      if (read.isFile) {
        const urlName = new URL(plan.url).pathname.split("/").pop() ?? "";
        const mimeType =
          (read.disposition?.filename ? guessMimeType(read.disposition.filename) : null) || mediaType(read.contentType) || guessMimeType(urlName) || "application/octet-stream";
        files.push(await services.saveFile(read.bytes, fileName(read.disposition?.filename ?? null, mimeType), mimeType));
      }
      const outputs = { status_code: read.status, body: files.length ? "" : decodeText(read.bytes, read.contentType), headers: read.headers, files };
      const processData = { request: plan.log };
      const retry = isObject(data.retry_config) && data.retry_config.retry_enabled === true;
      if ((read.status < 200 || read.status > 299) && (data.error_strategy || retry)) {
        throw new NodeError(`Request failed with status code ${read.status}`, "HTTPResponseCodeError", outputs);
      }
      return { outputs, processData };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
    }
  },
};

/** Configurations that can never run (null when the node may run). */
export function checkHttpRequest(data: Record<string, unknown>): string | null {
  const method = typeof data.method === "string" ? data.method.toLowerCase() : "";
  if (!DECLARED_METHODS.has(method)) return `unknown HTTP method ${JSON.stringify(data.method ?? null)}`;
  if (method === "options") return "the OPTIONS method cannot run (Invalid http method)";
  const url = typeof data.url === "string" ? data.url : "";
  if (!url) return "the URL is empty";
  if (templateSelectors(url).length === 0 && !/^https?:\/\//.test(url)) return "the URL must start with http:// or https://";
  const auth = data.authorization;
  if (auth !== undefined && auth !== null) {
    if (!isObject(auth) || (auth.type !== "no-auth" && auth.type !== "api-key")) return "authorization.type must be no-auth or api-key";
    if (auth.type === "api-key") {
      if (!isObject(auth.config)) return "api-key authorization has no config";
      if (!["basic", "bearer", "custom"].includes(String(auth.config.type))) return "api-key authorization type must be basic, bearer or custom";
      const key = typeof auth.config.api_key === "string" ? auth.config.api_key : "";
      if (!key.trim()) return "the API key is empty";
    }
  }
  if (isObject(data.body)) {
    const type = String(data.body.type ?? "none");
    if (!BODY_TYPES.has(type)) return `unknown body type "${type}"`;
    const items = bodyItems(data.body.data);
    if ((type === "json" || type === "raw-text" || type === "binary") && items.length !== 1) return `a ${type} body needs exactly one item`;
    if (type === "binary" && items[0].file.length < 2) return "the binary body has no file variable";
  }
  return null;
}
