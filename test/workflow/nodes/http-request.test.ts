// The http-request node against a stubbed services.fetch that speaks real HTTP: Request objects as
// the guard would send them, Responses with statuses, headers and streamed bodies. Bodies are
// compared byte for byte with what Dify's client (httpx) sends.
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkRemoteUrl } from "../../../src/lib/ssrf";
import { httpRequestNode } from "../../../src/workflow/nodes/http-request";
import type { FileValue, Json } from "../../../src/workflow/segments";
import type { NodeServices, NodeRun } from "../../../src/workflow/types";
import { VariablePool } from "../../../src/workflow/variable-pool";
import { countedBody, fakeInternet, hang } from "../../helpers/fake-internet";
import { fakeServices, runGraph, runNode, SETTINGS } from "../../helpers/workflow";
import { fileValue } from "./file-values";

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  text: string;
}

/** services whose fetch records each request and answers with `handler`. */
function host(handler: (request: Request) => Response | Promise<Response> = () => new Response("ok"), overrides: Partial<NodeServices> = {}) {
  const sent: Sent[] = [];
  const services = fakeServices({
    fetch: async (url, init) => {
      const request = new Request(url, init);
      const body = new Uint8Array(await request.clone().arrayBuffer());
      sent.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body, text: new TextDecoder().decode(body) });
      return handler(request);
    },
    ...overrides,
  });
  return { sent, services };
}

const node = (data: Json): Json => ({ method: "get", url: "https://api.example.com/x", authorization: { type: "no-auth" }, headers: "", params: "", ...data });

const file = (id: string, name: string, mime: string) => fileValue(name, { related_id: id, mime_type: mime, size: 3 });

async function failure(promise: Promise<unknown>): Promise<{ message: string; errorType: string; outputs: Json | null }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { message: string; errorType: string; outputs: Json | null };
    return { message: e.message, errorType: e.errorType, outputs: e.outputs };
  }
  throw new Error("expected the node to fail");
}

afterEach(() => vi.restoreAllMocks());

describe("http-request: the request", () => {
  it("renders the URL, headers and params (duplicates kept) and outputs status, body and headers", async () => {
    const { sent, services } = host(() => new Response('{"ok":true}', { status: 200, headers: { "Content-Type": "application/json", "X-Trace": "t1" } }));
    const out = await runNode(
      "http-request",
      node({
        method: "GET",
        url: "https://api.example.com/{{#start.path#}}?keep=1&tag=old",
        headers: "X-User: {{#start.name#}}\nX-Empty:\n  \nX-Multi: a:b",
        params: "tag: {{#start.tag#}}\ntag: two\nq:hello world\n:skipped\nflag",
      }),
      { start: { path: "items", name: "Ann", tag: "one" } },
      services,
    );
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe("GET");
    expect(sent[0].url).toBe("https://api.example.com/items?keep=1&tag=one&tag=two&q=hello+world&flag=");
    expect(sent[0].headers).toMatchObject({ "x-user": "Ann", "x-empty": "", "x-multi": "a:b", accept: "*/*" });
    expect(sent[0].body).toHaveLength(0);
    expect(out.outputs).toEqual({ status_code: 200, body: '{"ok":true}', headers: { "content-type": "application/json", "x-trace": "t1" }, files: [] });
    expect(String((out.processData as Json).request)).toMatch(/^GET \/items\?keep=1&tag=one&tag=two&q=hello\+world&flag= HTTP\/1\.1\r\nHost: api\.example\.com\r\nX-User: Ann\r\n/);
  });

  it("a header value rendered from a variable with line breaks becomes several headers (Dify renders first, then splits)", async () => {
    const { sent, services } = host();
    await runNode("http-request", node({ headers: "X-A: {{#start.v#}}" }), { start: { v: "1\nX-B: 2" } }, services);
    expect(sent[0].headers).toMatchObject({ "x-a": "1", "x-b": "2" });
  });

  it("refuses a method Dify cannot run, and a URL that is not http(s), before sending anything", async () => {
    const { sent, services } = host();
    expect(await failure(runNode("http-request", node({ method: "options" }), {}, services))).toMatchObject({ message: "Invalid http method options", errorType: "InvalidHttpMethodError" });
    expect(await failure(runNode("http-request", node({ url: "ftp://x/{{#start.a#}}" }), { start: { a: "1" } }, services))).toMatchObject({
      message: "url should start with http:// or https://",
      errorType: "InvalidURLError",
    });
    expect(await failure(runNode("http-request", node({ url: "{{#start.a#}}" }), { start: { a: "" } }, services))).toMatchObject({ message: "url is required" });
    expect(sent).toHaveLength(0);
  });

  it("sends every method", async () => {
    const { sent, services } = host(() => new Response(null, { status: 204 }));
    for (const method of ["get", "post", "put", "patch", "delete", "head"]) {
      const out = await runNode("http-request", node({ method }), {}, services);
      expect(out.outputs.status_code).toBe(204);
    }
    expect(sent.map((s) => s.method)).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]);
  });
});

describe("http-request: authorization", () => {
  const auth = (config: Json) => ({ authorization: { type: "api-key", config } });

  it("bearer, basic (base64 only for user:password), custom header, and the configured header name", async () => {
    const { sent, services } = host();
    const values = { start: { key: "s3cret" } };
    await runNode("http-request", node(auth({ type: "bearer", api_key: "{{#start.key#}}" })), values, services);
    await runNode("http-request", node(auth({ type: "basic", api_key: "user:pa ss" })), values, services);
    await runNode("http-request", node(auth({ type: "basic", api_key: "dXNlcjpwdw==" })), values, services);
    await runNode("http-request", node(auth({ type: "custom", header: "X-Api-Key", api_key: "k1" })), values, services);
    await runNode("http-request", node(auth({ type: "custom", header: "", api_key: "k2" })), values, services);
    await runNode("http-request", node(auth({ type: "bearer", header: "X-Token", api_key: "k3" })), values, services);
    expect(sent.map((s) => s.headers.authorization ?? null)).toEqual(["Bearer s3cret", `Basic ${btoa("user:pa ss")}`, "Basic dXNlcjpwdw==", null, "k2", null]);
    expect(sent[3].headers["x-api-key"]).toBe("k1");
    expect(sent[5].headers["x-token"]).toBe("Bearer k3");
  });

  it("the authorization header replaces a user header of the same name and is masked in the log", async () => {
    const { sent, services } = host();
    const out = await runNode("http-request", node({ headers: "authorization: mine", ...auth({ type: "bearer", api_key: "abc" }) }), {}, services);
    expect(sent[0].headers.authorization).toBe("Bearer abc");
    expect(String((out.processData as Json).request)).toContain(`Authorization: ${"*".repeat("Bearer abc".length)}\r\n`);
    expect(String((out.processData as Json).request)).not.toContain("abc");
  });

  it("an API key that renders empty fails the node", async () => {
    const { sent, services } = host();
    const result = await failure(runNode("http-request", node(auth({ type: "bearer", api_key: "{{#start.key#}}" })), { start: { key: "  " } }, services));
    expect(result).toEqual({ message: "API key is required for authorization but was empty. Please provide a valid API key.", errorType: "AuthorizationConfigError", outputs: null });
    expect(await failure(runNode("http-request", node({ authorization: { type: "api-key" } }), {}, services))).toMatchObject({ message: "authorization config is required" });
    expect(sent).toHaveLength(0);
  });
});

describe("http-request: bodies", () => {
  const post = (body: Json, extra: Json = {}) => node({ method: "post", body, ...extra });

  it("none sends no body and no Content-Type", async () => {
    const { sent, services } = host();
    await runNode("http-request", post({ type: "none", data: [] }), {}, services);
    expect(sent[0].body).toHaveLength(0);
    expect(sent[0].headers["content-type"]).toBeUndefined();
  });

  it("raw-text is rendered and sent as text/plain; a legacy string body is one text item", async () => {
    const { sent, services } = host();
    await runNode("http-request", post({ type: "raw-text", data: [{ type: "text", value: "hi {{#start.n#}} ✓" }] }), { start: { n: 2 } }, services);
    await runNode("http-request", post({ type: "raw-text", data: "legacy {{#start.n#}}" }), { start: { n: 3 } }, services);
    expect(sent[0].text).toBe("hi 2 ✓");
    expect(sent[0].headers["content-type"]).toBe("text/plain");
    expect(sent[1].text).toBe("legacy 3");
  });

  it("json is rendered, repaired and sent compact; integers keep every digit, floats print as Python's, key order stays", async () => {
    const { sent, services } = host();
    const value = `{'name': "{{#start.name#}}", "id": 1234567890123456789, "t": 1.0, "e": 1e20, "10": true, "list": [1, 2,], /* note */ "none": None,}`;
    await runNode("http-request", post({ type: "json", data: [{ type: "text", value }] }), { start: { name: "Zoë" } }, services);
    expect(sent[0].text).toBe('{"name":"Zoë","id":1234567890123456789,"t":1.0,"e":1e+20,"10":true,"list":[1,2],"none":null}');
    expect(sent[0].headers["content-type"]).toBe("application/json");
  });

  it("valid json is re-serialised the way httpx does (compact, repeated keys keep the last value)", async () => {
    const { sent, services } = host();
    await runNode("http-request", post({ type: "json", data: [{ type: "text", value: '{ "a" : [ ], "b": {"x": -0, "y": 0.0001, "z": 1.5e-7}, "a": "\\u00e9\\n" }' }] }), {}, services);
    expect(sent[0].text).toBe('{"a":"é\\n","b":{"x":0,"y":0.0001,"z":1.5e-07}}');
  });

  it("json that cannot be repaired fails with Dify's message; a user Content-Type is kept", async () => {
    const { sent, services } = host();
    await runNode("http-request", post({ type: "json", data: [{ type: "text", value: "[1]" }] }, { headers: "Content-Type: application/vnd.api+json" }), {}, services);
    expect(sent[0].headers["content-type"]).toBe("application/vnd.api+json");
    const result = await failure(runNode("http-request", post({ type: "json", data: [{ type: "text", value: '{"a": NaN}' }] }), {}, services));
    expect(result).toMatchObject({ errorType: "RequestBodyError", message: "Out of range float values are not JSON compliant" });
    expect(await failure(runNode("http-request", post({ type: "json", data: [{ type: "text", value: "" }] }), {}, services))).toMatchObject({ errorType: "RequestBodyError", message: "Failed to parse JSON: " });
    expect(sent).toHaveLength(1);
  });

  it("json, raw-text and binary need exactly one item", async () => {
    const { services } = host();
    for (const type of ["json", "raw-text", "binary"]) {
      expect(await failure(runNode("http-request", post({ type, data: [] }), {}, services))).toMatchObject({ errorType: "RequestBodyError", message: `${type} body type should have exactly one item` });
    }
  });

  it("x-www-form-urlencoded is encoded as Python's urlencode (quote_plus)", async () => {
    const { sent, services } = host();
    const data = [
      { type: "text", key: "q", value: "a b&c=d/é~*" },
      { type: "text", key: "{{#start.k#}}", value: "{{#start.v#}}" },
    ];
    await runNode("http-request", post({ type: "x-www-form-urlencoded", data }), { start: { k: "n", v: 5 } }, services);
    expect(sent[0].text).toBe("q=a+b%26c%3Dd%2F%C3%A9~%2A&n=5");
    expect(sent[0].headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("form-data is multipart: text fields, then file parts with their names and types, exact bytes", async () => {
    const saved = new Map<string, Uint8Array>([
      ["f1", new TextEncoder().encode("abc")],
      ["f2", new Uint8Array([0, 255, 1])],
    ]);
    const { sent, services } = host(undefined, { readFile: async (f) => saved.get(f.related_id ?? "")! });
    const data = [
      { type: "file", key: "docs", file: ["start", "files"] },
      { type: "text", key: "title", value: "Hello {{#start.who#}}" },
      { type: "text", key: 'we"ird', value: "x" },
    ];
    const values = { start: { who: "you", files: [file("f1", "a.txt", "text/plain"), file("f2", "b.bin", "")] } };
    await runNode("http-request", post({ type: "form-data", data }, { headers: "Content-Type: application/json" }), values, services);
    const type = sent[0].headers["content-type"];
    const boundary = /^multipart\/form-data; boundary=([0-9a-f]{32})$/.exec(type)![1];
    const expected =
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHello you\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="we%22ird"\r\n\r\nx\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="docs"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="docs"; filename="b.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const enc = new TextEncoder();
    expect([...sent[0].body]).toEqual([...enc.encode(expected), 0, 255, 1, ...enc.encode(tail)]);
    // A real multipart reader agrees.
    const form = await new Request("https://x", { method: "POST", body: sent[0].body, headers: { "Content-Type": type } }).formData();
    expect(form.get("title")).toBe("Hello you");
    expect((form.getAll("docs") as unknown as File[]).map((f) => f.name)).toEqual(["a.txt", "b.bin"]);
  });

  it("form-data with text only is still multipart", async () => {
    const { sent, services } = host();
    await runNode("http-request", post({ type: "form-data", data: [{ type: "text", key: "a", value: "1" }] }), {}, services);
    const form = await new Request("https://x", { method: "POST", body: sent[0].body, headers: { "Content-Type": sent[0].headers["content-type"] } }).formData();
    expect([...form.entries()]).toEqual([["a", "1"]]);
  });

  it("binary sends the file's bytes; a missing file fails with FileFetchError", async () => {
    const { sent, services } = host(undefined, { readFile: async () => new Uint8Array([1, 2, 3]) });
    await runNode("http-request", post({ type: "binary", data: [{ type: "file", file: ["start", "f"] }] }), { start: { f: file("f1", "a.pdf", "application/pdf") } }, services);
    expect([...sent[0].body]).toEqual([1, 2, 3]);
    const result = await failure(runNode("http-request", post({ type: "binary", data: [{ type: "file", file: ["start", "nope"] }] }), { start: {} }, services));
    expect(result).toMatchObject({ errorType: "FileFetchError", message: "cannot fetch file with selector ['start', 'nope']" });
  });

  it("a GET carries no body (fetch cannot send one)", async () => {
    const { sent, services } = host();
    await runNode("http-request", node({ method: "get", body: { type: "json", data: [{ type: "text", value: "{}" }] } }), {}, services);
    expect(sent[0].body).toHaveLength(0);
  });
});

describe("http-request: responses", () => {
  it("a non-2xx status is a success without an error strategy or retry", async () => {
    const { services } = host(() => new Response("missing", { status: 404 }));
    const out = await runNode("http-request", node({}), {}, services);
    expect(out.outputs).toMatchObject({ status_code: 404, body: "missing" });
    // Dify's fixture uses non-schema retry_config keys (enabled, exponential_backoff): not a retry setting.
    const fixtureLike = await runNode("http-request", node({ retry_config: { enabled: true, max_retries: 1, retry_interval: 1000, exponential_backoff: { enabled: false } } }), {}, services);
    expect(fixtureLike.outputs.status_code).toBe(404);
  });

  it("with an error strategy or retry a non-2xx fails with HTTPResponseCodeError and keeps its outputs", async () => {
    const { services } = host(() => new Response("boom", { status: 503, headers: { "Retry-After": "1" } }));
    for (const extra of [{ error_strategy: "fail-branch" }, { retry_config: { retry_enabled: true, max_retries: 3, retry_interval: 100 } }]) {
      const result = await failure(runNode("http-request", node(extra), {}, services));
      expect(result.errorType).toBe("HTTPResponseCodeError");
      expect(result.message).toBe("Request failed with status code 503");
      expect(result.outputs).toMatchObject({ status_code: 503, body: "boom", headers: { "retry-after": "1" }, files: [] });
    }
  });

  it("an attachment is saved as the user's file and the body is empty", async () => {
    const saved: { name: string; mime: string; bytes: number[] }[] = [];
    const base = fakeServices();
    const { services } = host(() => new Response(new Uint8Array([37, 80, 68, 70]), { headers: { "Content-Type": "application/octet-stream", "Content-Disposition": "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf" } }), {
      saveFile: async (bytes, name, mime) => {
        saved.push({ name, mime, bytes: [...bytes] });
        return base.saveFile(bytes, name, mime);
      },
    });
    const out = await runNode("http-request", node({}), {}, services);
    expect(saved).toEqual([{ name: "résumé.pdf", mime: "application/pdf", bytes: [37, 80, 68, 70] }]);
    expect(out.outputs.body).toBe("");
    expect((out.outputs.files as FileValue[])[0]).toMatchObject({ filename: "résumé.pdf", mime_type: "application/pdf", size: 4, transfer_method: "tool_file" });
  });

  it("files by MIME type: images and binary application types are files; JSON, text and code-like bodies are text", async () => {
    const cases: [string, BodyInit, boolean][] = [
      ["image/png", new Uint8Array([137, 80, 78, 71]), true],
      ["audio/mpeg", new Uint8Array([1, 2]), true],
      ["application/pdf", new Uint8Array([37, 80, 68, 70, 0xff]), true],
      ["application/json; charset=utf-8", '{"a":1}', false],
      ["text/csv", "a,b\n1,2", false],
      ["application/octet-stream", "<html>looks like text</html>", false],
      ["", "no type", false],
    ];
    for (const [type, body, isFile] of cases) {
      const { services } = host(() => new Response(body, { headers: type ? { "Content-Type": type } : {} }));
      const out = await runNode("http-request", node({}), {}, services);
      expect([type, (out.outputs.files as unknown[]).length === 1]).toEqual([type, isFile]);
      if (isFile) expect(out.outputs.body).toBe("");
    }
  });

  it("a file named by a fresh id and its MIME type's extension when there is no filename", async () => {
    const { services } = host(() => new Response(new Uint8Array([137, 80]), { headers: { "Content-Type": "image/png" } }));
    const out = await runNode("http-request", node({ url: "https://img.example.com/pic" }), {}, services);
    expect((out.outputs.files as FileValue[])[0].filename).toMatch(/^[0-9a-f]{32}\.png$/);
  });

  it("decodes text by its charset", async () => {
    const { services } = host(() => new Response(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), { headers: { "Content-Type": "text/plain; charset=iso-8859-1" } }));
    expect((await runNode("http-request", node({}), {}, services)).outputs.body).toBe("café");
  });

  it("joins repeated headers as Dify does", async () => {
    const headers = new Headers();
    headers.append("Set-Cookie", "a=1");
    headers.append("Set-Cookie", "b=2");
    headers.append("Vary", "Accept");
    headers.append("Vary", "Origin");
    const { services } = host(() => new Response("x", { headers }));
    expect((await runNode("http-request", node({}), {}, services)).outputs.headers).toMatchObject({ "set-cookie": "a=1, b=2", vary: "Accept, Origin" });
  });
});

describe("http-request: limits", () => {
  const settings = { ...SETTINGS, httpMaxTextSize: 1000, httpMaxBinarySize: 5000 };

  it("a text body over HTTP_REQUEST_NODE_MAX_TEXT_SIZE fails while streaming, without reading the rest", async () => {
    const counted = countedBody(100_000, 256);
    const { services } = host(() => new Response(counted.body, { headers: { "Content-Type": "text/plain" } }), { settings });
    const result = await failure(runNode("http-request", node({}), {}, services));
    expect(result.errorType).toBe("ResponseSizeError");
    expect(result.message).toMatch(/^Text size is too large, max size is 0\.00 MB, but current size is more than 1\.00 KB\.$/);
    expect(counted.pulled()).toBeLessThan(2000);
  });

  it("a declared Content-Length over the file limit fails before the body is read", async () => {
    const counted = countedBody(20_000, 1024);
    const { services } = host(() => new Response(counted.body, { headers: { "Content-Type": "image/png", "Content-Length": "20000" } }), { settings });
    const result = await failure(runNode("http-request", node({}), {}, services));
    expect(result.message).toBe("File size is too large, max size is 0.00 MB, but current size is 19.53 KB.");
    expect(counted.pulled()).toBeLessThanOrEqual(2048);
  });

  it("a file may be larger than the text limit", async () => {
    const { services } = host(() => new Response(new Uint8Array(3000).fill(255), { headers: { "Content-Type": "application/zip" } }), { settings });
    const out = await runNode("http-request", node({}), {}, services);
    expect((out.outputs.files as FileValue[])[0].size).toBe(3000);
  });

  it("no response within the node's timeouts, capped by the settings", async () => {
    const fast = { ...SETTINGS, httpMaxConnectTimeout: 0.05, httpMaxReadTimeout: 0.05, httpMaxWriteTimeout: 0.05 };
    const { services } = host(hang, { settings: fast });
    const started = Date.now();
    const result = await failure(runNode("http-request", node({ timeout: { connect: 100, read: 100, write: 100 } }), {}, services));
    expect(result.message).toBe("Request to https://api.example.com/x timed out: no response within 0.1 s");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a body that stalls longer than the read timeout fails", async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("partial"));
      },
    });
    const { services } = host(() => new Response(stalled, { headers: { "Content-Type": "text/plain" } }));
    const result = await failure(runNode("http-request", node({ timeout: { connect: 1, read: 0.1 } }), {}, services));
    expect(result.message).toBe("Reading the response of https://api.example.com/x timed out: no data for 0.1 s");
  });

  it("a stop aborts the request at once", async () => {
    const controller = new AbortController();
    let aborted = false;
    const services = fakeServices({
      fetch: (_url, init) =>
        new Promise<Response>((_, reject) => {
          init.signal?.addEventListener("abort", () => ((aborted = true), reject(new DOMException("aborted", "AbortError"))));
        }),
    });
    const run = {
      node: { id: "h", type: "http-request", title: "h", data: { type: "http-request", ...node({}) }, parent: null },
      pool: new VariablePool(),
      services,
      signal: controller.signal,
      stream: () => {},
      scope: {} as NodeRun["scope"],
      emit: () => {},
    } as unknown as NodeRun;
    const pending = httpRequestNode.run(run);
    setTimeout(() => controller.abort(new DOMException("stopped", "AbortError")), 20);
    await expect(pending).rejects.toThrow("stopped");
    expect(aborted).toBe(true);
  });
});

describe("http-request: the SSRF guard", () => {
  it("a URL the guard refuses fails the node and reaches nothing", async () => {
    const internet = fakeInternet({ "api.example.com": () => new Response("ok") });
    const policy = { allowedHosts: new Set<string>(), resolve: null, timeoutMs: 1000, maxRedirects: 3 };
    const services = fakeServices({
      // The guard's own check, then the (fake) network: what services.fetch is wired to.
      fetch: async (url, init) => {
        await checkRemoteUrl(new URL(url), policy);
        return fetch(url, init);
      },
    });
    for (const url of ["http://127.0.0.1/admin", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/", "http://2130706433/", "http://intranet.local/x"]) {
      const result = await failure(runNode("http-request", node({ url, method: "post", body: { type: "raw-text", data: [{ type: "text", value: "x" }] } }), {}, services));
      expect(result.errorType).toBe("HttpRequestNodeError");
      expect(result.message).toMatch(new RegExp(`^Request to .* failed: The remote file URL is not allowed: `));
    }
    expect(internet.requests).toHaveLength(0);
    await runNode("http-request", node({}), {}, services);
    expect(internet.requests.map((r) => r.url)).toEqual(["https://api.example.com/x"]);
  });

  it("redirects are the guard's: the node reports what the guard returns and never follows a Location itself", async () => {
    const { sent, services } = host(() => new Response(null, { status: 302, headers: { Location: "http://127.0.0.1/" } }));
    const out = await runNode("http-request", node({}), {}, services);
    expect(out.outputs.status_code).toBe(302);
    expect(sent).toHaveLength(1);
  });
});

describe("http-request in a graph", () => {
  const graph = (http: Json) => ({
    nodes: [
      { id: "start", data: { type: "start", title: "Start", variables: [] } },
      { id: "http", data: { type: "http-request", title: "HTTP", ...node({ url: "https://api.example.com/{{#start.p#}}" }), ...http } },
      { id: "end", data: { type: "end", title: "End", outputs: [{ variable: "status", value_selector: ["http", "status_code"] }, { variable: "body", value_selector: ["http", "body"] }] } },
      { id: "failed", data: { type: "end", title: "Failed", outputs: [{ variable: "error", value_selector: ["http", "error_type"] }] } },
    ],
    edges: [
      { source: "start", target: "http" },
      { source: "http", target: "end", sourceHandle: "source" },
      { source: "http", target: "failed", sourceHandle: "fail-branch" },
    ],
  });

  it("retries a failing status as the engine's retry (3 tries), then succeeds", async () => {
    let calls = 0;
    const { services } = host(() => new Response(++calls < 3 ? "busy" : "done", { status: calls < 3 ? 503 : 200 }));
    const run = await runGraph(graph({ retry_config: { retry_enabled: true, max_retries: 3, retry_interval: 1 } }), { inputs: { p: "a" }, services });
    expect(run.status).toBe("succeeded");
    expect(run.outputs).toEqual({ status: 200, body: "done" });
    expect(run.events.filter((e) => e.event === "node_retry")).toHaveLength(2);
  });

  it("takes the fail branch on a non-2xx when the node has that strategy", async () => {
    const { services } = host(() => new Response("nope", { status: 500 }));
    const run = await runGraph(graph({ error_strategy: "fail-branch" }), { inputs: { p: "a" }, services });
    expect(run.status).toBe("partial-succeeded");
    expect(run.outputs).toEqual({ error: "HTTPResponseCodeError" });
  });

  it("Dify's http_request_with_json_tool fixture node (GET, non-schema retry_config) runs", async () => {
    const { sent, services } = host(() => Response.json({ a: 1 }));
    const run = await runGraph(graph({ method: "GET", body: { type: "none", data: "" }, timeout: { connect: 10, read: 30, write: 30 }, retry_config: { enabled: false, max_retries: 1, retry_interval: 1000, exponential_backoff: { enabled: false, multiplier: 2, max_interval: 10000 } } }), {
      inputs: { p: "data.json" },
      services,
    });
    expect(run.status).toBe("succeeded");
    expect(run.outputs).toEqual({ status: 200, body: '{"a":1}' });
    expect(sent[0].url).toBe("https://api.example.com/data.json");
  });
});

describe("http-request: check", () => {
  it("finds configurations that can never run", () => {
    const check = httpRequestNode.check!;
    expect(check(node({}))).toBeNull();
    expect(check(node({ method: "options" }))).toMatch(/OPTIONS/);
    expect(check(node({ method: "trace" }))).toMatch(/unknown HTTP method/);
    expect(check(node({ url: "" }))).toMatch(/empty/);
    expect(check(node({ url: "ftp://x" }))).toMatch(/http:\/\//);
    expect(check(node({ url: "{{#start.url#}}" }))).toBeNull();
    expect(check(node({ authorization: { type: "api-key" } }))).toMatch(/no config/);
    expect(check(node({ authorization: { type: "api-key", config: { type: "digest", api_key: "k" } } }))).toMatch(/basic, bearer or custom/);
    expect(check(node({ authorization: { type: "api-key", config: { type: "bearer", api_key: "" } } }))).toMatch(/API key is empty/);
    expect(check(node({ body: { type: "xml", data: [] } }))).toMatch(/unknown body type/);
    expect(check(node({ body: { type: "json", data: [] } }))).toMatch(/exactly one item/);
    expect(check(node({ body: { type: "binary", data: [{ type: "file", file: [] }] } }))).toMatch(/no file variable/);
  });
});
