import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { remoteFileInfoResponse, remoteFileUploadResponse } from "../../src/schemas/files";
import { sha256Hex } from "../../src/lib/crypto";
import { appSession, call, expectError, expectShape, json, webHeaders } from "../helpers/api";
import { countedBody, fakeInternet, hang } from "../helpers/fake-internet";
import { demoApp } from "../helpers/fixtures";
import { chatAppYaml, expectNothingStored, PNG_1X1, type Session, withConfig } from "../helpers/files";

// The local file server tests may reach: allowed by SSRF_ALLOWED_HOSTS, as an operator would.
const FILE_SERVER = "127.0.0.1:8765";
const allowFileServer = { ssrfAllowedHosts: [FILE_SERVER] };

let chat: Session;

const upload = (session: Session, url: string) =>
  call("/api/remote-files/upload", json({ url }, { headers: webHeaders(session.app.site_code, session.token) }));
const info = (session: Session, url: string) =>
  call(`/api/remote-files/${encodeURIComponent(url)}`, { headers: webHeaders(session.app.site_code, session.token) });


beforeAll(async () => {
  chat = await appSession(demoApp("chat"));
});

afterEach(() => {
  vi.restoreAllMocks();
});

const png = () => new Response(PNG_1X1, { headers: { "Content-Type": "image/png", "Content-Length": String(PNG_1X1.byteLength) } });

describe("POST /api/remote-files/upload", () => {
  it("fetches an allowed host into R2 and answers 201 with the signed URL", async () => {
    const net = fakeInternet({ [FILE_SERVER]: png });
    const res = await withConfig(allowFileServer, () => upload(chat, `http://${FILE_SERVER}/images/cat.png?size=small`));
    const body = await expectShape(res, remoteFileUploadResponse, 201);
    expect(body).toMatchObject({ name: "cat.png", size: PNG_1X1.byteLength, extension: "png", mime_type: "image/png" });
    expect(body.url).toMatch(new RegExp(`^http://api\\.test/files/${body.id}/file-preview\\?timestamp=`));
    expect(net.requests.map((r) => [r.method, r.url])).toEqual([["GET", `http://${FILE_SERVER}/images/cat.png?size=small`]]);

    const row = await env.DB.prepare("SELECT key, source_url, hash, created_by_role FROM upload_files WHERE id = ?").bind(body.id).first<Record<string, string>>();
    expect(row).toMatchObject({ source_url: `http://${FILE_SERVER}/images/cat.png?size=small`, hash: await sha256Hex(PNG_1X1), created_by_role: "end_user" });
    expect(new Uint8Array(await (await env.FILES.get(row!.key))!.arrayBuffer())).toEqual(PNG_1X1);
  });

  it("resolves public names over DNS-over-HTTPS before fetching them", async () => {
    const net = fakeInternet({ "images.example.com": png }, { "images.example.com": ["93.184.215.14"] });
    const res = await upload(chat, "https://images.example.com/photos/dog");
    const body = await expectShape(res, remoteFileUploadResponse, 201);
    // No extension in the URL: one is added from the MIME type, as Dify does.
    expect(body).toMatchObject({ name: "dog.png", extension: "png", mime_type: "image/png" });
    expect(net.dnsQueries).toEqual(["images.example.com A", "images.example.com AAAA"]);
  });

  it("refuses internal addresses in every spelling before any connection is attempted", async () => {
    const net = fakeInternet({}, { "internal.example.com": ["10.0.0.5"], "aws-metadata.example.com": ["169.254.169.254"] });
    const urls = [
      "http://127.0.0.1/a.png",
      "http://127.1/a.png",
      "http://2130706433/a.png",
      "http://0x7f.0.0.1/a.png",
      "http://0177.0.0.1/a.png",
      "http://[::1]/a.png",
      "http://[::ffff:127.0.0.1]/a.png",
      "http://localhost./a.png",
      "http://10.0.0.1/a.png",
      "http://192.168.1.1/a.png",
      "http://100.64.1.1/a.png",
      "http://169.254.169.254/latest/meta-data/",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://224.0.0.1/a.png",
      "http://0.0.0.0/a.png",
      "http://[fe80::1]/a.png",
      `http://127.0.0.1:8766/a.png`,
    ];
    for (const url of urls) await expectNothingStored(() => upload(chat, url), 400, "remote_file_url_blocked", /^The remote file URL is not allowed: /);
    expect(net.spy).not.toHaveBeenCalled();

    for (const host of ["internal.example.com", "aws-metadata.example.com"]) {
      await expectNothingStored(() => upload(chat, `https://${host}/a.png`), 400, "remote_file_url_blocked", new RegExp(`${host} resolves to`));
    }
    expect(net.requests).toEqual([]);
  });

  it("refuses a redirect from an allowed host to a forbidden one", async () => {
    const net = fakeInternet({
      [FILE_SERVER]: () => new Response("moved", { status: 302, headers: { Location: "http://169.254.169.254/latest/meta-data/iam/security-credentials/" } }),
    });
    await withConfig(allowFileServer, () => expectNothingStored(() => upload(chat, `http://${FILE_SERVER}/a.png`), 400, "remote_file_url_blocked", /169\.254\.169\.254 is a cloud metadata address/));
    expect(net.requests.map((r) => r.url)).toEqual([`http://${FILE_SERVER}/a.png`]);
  });

  it("refuses non-http URLs as invalid input", async () => {
    const net = fakeInternet({});
    for (const url of ["file:///etc/passwd", "ftp://files.example.com/a.png", "not a url", ""]) {
      await expectError(await upload(chat, url), 400, "invalid_param");
    }
    expect(net.spy).not.toHaveBeenCalled();
  });

  it("enforces the size limit while streaming when Content-Length is absent or lies, keeping nothing", async () => {
    const limit = 1024 * 1024;
    const sources: Record<string, ReturnType<typeof countedBody>> = {};
    fakeInternet({
      [FILE_SERVER]: (req) => {
        const name = new URL(req.url).pathname.slice(1);
        sources[name] = countedBody(limit + 1);
        const headers: Record<string, string> = { "Content-Type": "image/png" };
        if (name === "lying.png") headers["Content-Length"] = "100";
        if (name === "honest.png") headers["Content-Length"] = String(limit + 1);
        return new Response(sources[name].body, { headers });
      },
    });
    await withConfig({ ...allowFileServer, uploadImageFileSizeLimitMb: 1 }, async () => {
      for (const name of ["chunked.png", "lying.png", "honest.png"]) {
        await expectNothingStored(() => upload(chat, `http://${FILE_SERVER}/${name}`), 413, "file_too_large", "File size exceeded. The limit for image files is 1 MB.");
      }
    });
    // An honest Content-Length is refused before the body is read.
    expect(sources["honest.png"].pulled()).toBeLessThanOrEqual(64 * 1024);
    expect(sources["chunked.png"].pulled()).toBeGreaterThan(limit);
  });

  it("reports failing hosts as remote_file_upload_error without echoing what they sent", async () => {
    fakeInternet({
      [FILE_SERVER]: (req) =>
        new URL(req.url).pathname === "/hang.png" ? hang(req) : new Response("SECRET internal admin page", { status: 404, headers: { "Content-Type": "text/html" } }),
    });
    await withConfig({ ...allowFileServer, remoteFileTimeout: 1 }, async () => {
      const missing = await expectNothingStored(() => upload(chat, `http://${FILE_SERVER}/missing.png`), 400, "remote_file_upload_error", `Failed to fetch file from http://${FILE_SERVER}/missing.png: HTTP 404`);
      expect(JSON.stringify(missing)).not.toContain("SECRET");
      await expectNothingStored(() => upload(chat, `http://${FILE_SERVER}/hang.png`), 400, "remote_file_upload_error", /no answer within 1 s$/);
      await expectNothingStored(() => upload(chat, "https://unreachable.example.com/a.png"), 400, "remote_file_upload_error");
    });
  });

  it("answers 415 when the app takes no such file or not by URL", async () => {
    fakeInternet({ [FILE_SERVER]: (req) => (req.url.endsWith(".pdf") ? new Response("%PDF", { headers: { "Content-Type": "application/pdf" } }) : png()) });
    const localOnly = await appSession(
      chatAppYaml(demoApp("chat"), { fileUpload: { image: { enabled: true, number_limits: 2, detail: "high", transfer_methods: ["local_file"] } } }),
    );
    await withConfig(allowFileServer, async () => {
      await expectNothingStored(() => upload(chat, `http://${FILE_SERVER}/report.pdf`), 415, "unsupported_file_type");
      await expectNothingStored(() => upload(localOnly, `http://${FILE_SERVER}/cat.png`), 415, "unsupported_file_type");
    });
  });
});

describe("GET /api/remote-files/{url}", () => {
  it("answers the remote Content-Type and Content-Length from a HEAD request", async () => {
    const net = fakeInternet({
      [FILE_SERVER]: (req) => new Response(req.method === "HEAD" ? null : "x", { headers: { "Content-Type": "image/png; q=1", "Content-Length": "68" } }),
    });
    const body = await expectShape(await withConfig(allowFileServer, () => info(chat, `http://${FILE_SERVER}/cat.png`)), remoteFileInfoResponse);
    expect(body).toEqual({ file_type: "image/png; q=1", file_length: 68 });
    expect(net.requests.map((r) => r.method)).toEqual(["HEAD"]);
    // The URL also works unencoded in the path (werkzeug's <path:url>).
    const raw = await withConfig(allowFileServer, () => call(`/api/remote-files/http://${FILE_SERVER}/cat.png`, { headers: webHeaders(chat.app.site_code, chat.token) }));
    expect(await expectShape(raw, remoteFileInfoResponse)).toEqual(body);
  });

  it("falls back to GET when HEAD is refused, and reports -1 without a length", async () => {
    const net = fakeInternet({
      [FILE_SERVER]: (req) => (req.method === "HEAD" ? new Response(null, { status: 405 }) : new Response(countedBody(10).body)),
    });
    const body = await expectShape(await withConfig(allowFileServer, () => info(chat, `http://${FILE_SERVER}/data`)), remoteFileInfoResponse);
    expect(body).toEqual({ file_type: "application/octet-stream", file_length: -1 });
    expect(net.requests.map((r) => r.method)).toEqual(["HEAD", "GET"]);
  });

  it("goes through the same guard and error codes", async () => {
    const net = fakeInternet({ [FILE_SERVER]: () => new Response("nope", { status: 500 }) });
    await expectError(await info(chat, "http://169.254.169.254/latest/meta-data/"), 400, "remote_file_url_blocked");
    expect(net.spy).not.toHaveBeenCalled();
    await expectError(await withConfig(allowFileServer, () => info(chat, `http://${FILE_SERVER}/x`)), 400, "remote_file_upload_error", `Failed to fetch file from http://${FILE_SERVER}/x: HTTP 500`);
    await expectError(await info(chat, "javascript:alert(1)"), 400, "invalid_param");
  });

  it("requires a passport", async () => {
    await expectError(await call(`/api/remote-files/${encodeURIComponent("https://images.example.com/a.png")}`), 401, "unauthorized");
  });
});
