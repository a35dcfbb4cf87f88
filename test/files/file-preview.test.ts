import { beforeAll, describe, expect, it } from "vitest";
import { fileUploadResponse } from "../../src/schemas/files";
import { bytesToBase64Url, hmacSha256 } from "../../src/lib/crypto";
import { parseRange } from "../../src/services/files/file-preview";
import { admin, appSession, call, expectError, expectShape, json, SECRET_KEY } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";
import { chatAppYaml, fileForm, PNG_1X1, postMultipart, pseudoRandomBytes, type Session } from "../helpers/files";

const content = pseudoRandomBytes(1000, 9);
let session: Session;
let fileId: string;
let previewPath: string;

async function signedPath(id: string, timestamp: number, nonce = "0123456789abcdef0123456789abcdef"): Promise<string> {
  const sign = bytesToBase64Url(await hmacSha256(SECRET_KEY, `file-preview|${id}|${timestamp}|${nonce}`));
  return `/files/${id}/file-preview?${new URLSearchParams({ timestamp: String(timestamp), nonce, sign })}`;
}

const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  session = await appSession(
    chatAppYaml(demoApp("chat"), {
      fileUpload: { enabled: true, allowed_file_types: ["video", "document", "image"], allowed_file_upload_methods: ["local_file"], number_limits: 3 },
    }),
  );
  const res = await postMultipart(session, "/api/files/upload", fileForm("clip one.mp4", "video/mp4", content));
  const body = await expectShape(res, fileUploadResponse, 201);
  fileId = body.id;
  previewPath = body.source_url.replace("http://api.test", "");
});

describe("GET /files/{id}/file-preview", () => {
  it("streams the object with its type, length, name and sandboxing headers", async () => {
    const res = await call(previewPath);
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      "content-type": "video/mp4",
      "content-length": "1000",
      "content-disposition": "inline; filename*=UTF-8''clip%20one.mp4",
      "accept-ranges": "bytes",
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox",
      "cache-control": "private, max-age=300",
    });
    expect(res.headers.get("etag")).toMatch(/^".+"$/);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(content);
  });

  it("serves byte ranges with 206 and Content-Range", async () => {
    const cases: [string, number, number][] = [
      ["bytes=0-9", 0, 9],
      ["bytes=990-", 990, 999],
      ["bytes=-5", 995, 999],
      ["bytes=500-5000", 500, 999],
      ["bytes=-5000", 0, 999],
    ];
    for (const [range, start, end] of cases) {
      const res = await call(previewPath, { headers: { Range: range } });
      expect(res.status, range).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/1000`);
      expect(res.headers.get("content-length")).toBe(String(end - start + 1));
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(content.subarray(start, end + 1));
    }
  });

  it("answers 416 with Content-Range for a range past the end, and ignores ranges it does not serve", async () => {
    for (const range of ["bytes=1000-", "bytes=2000-3000", "bytes=-0"]) {
      const res = await call(previewPath, { headers: { Range: range } });
      expect(res.headers.get("content-range")).toBe("bytes */1000");
      await expectError(res, 416, "requested_range_not_satisfiable", "The server cannot provide the requested range.");
    }
    for (const range of ["bytes=0-1,5-9", "bytes=9-2", "items=0-1", "bytes=x-y"]) {
      const res = await call(previewPath, { headers: { Range: range } });
      expect(res.status, range).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(1000);
    }
  });

  it("downloads as an attachment when asked, and always for HTML", async () => {
    const res = await call(`${previewPath}&as_attachment=true`);
    expect(res.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''clip%20one.mp4");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    await res.arrayBuffer();

    const page = await postMultipart(session, "/api/files/upload", fileForm("page.html", "text/html", "<script>alert(1)</script>"));
    const html = await expectShape(page, fileUploadResponse, 201);
    const served = await call(html.source_url.replace("http://api.test", ""));
    expect(served.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''page.html");
    expect(served.headers.get("content-security-policy")).toBe("sandbox");
    expect(await served.text()).toBe("<script>alert(1)</script>");
  });

  it("accepts a signature within FILES_ACCESS_TIMEOUT and refuses an expired one with 403", async () => {
    const fresh = await call(await signedPath(fileId, now() - 290));
    expect(fresh.status).toBe(200);
    await fresh.arrayBuffer();
    await expectError(await call(await signedPath(fileId, now() - 310)), 403, "forbidden", "The file signature is invalid or has expired.");
  });

  it("refuses tampered signatures, ids, timestamps and nonces with 403", async () => {
    const url = new URL(previewPath, "http://api.test");
    const sign = url.searchParams.get("sign")!;
    const tamper = (key: string, value: string) => {
      const copy = new URL(url);
      copy.searchParams.set(key, value);
      return `${copy.pathname}${copy.search}`;
    };
    const flipped = (sign[0] === "A" ? "B" : "A") + sign.slice(1);
    for (const path of [
      tamper("sign", flipped),
      tamper("sign", ""),
      tamper("timestamp", String(Number(url.searchParams.get("timestamp")) + 1)),
      tamper("nonce", "ffffffffffffffffffffffffffffffff"),
      `${url.pathname.replace(fileId, crypto.randomUUID())}${url.search}`,
    ]) {
      await expectError(await call(path), 403, "forbidden");
    }
    // Another secret's signature is worthless here.
    const foreign = bytesToBase64Url(await hmacSha256("another-secret", `file-preview|${fileId}|${now()}|abc`));
    await expectError(await call(`/files/${fileId}/file-preview?timestamp=${now()}&nonce=abc&sign=${encodeURIComponent(foreign)}`), 403, "forbidden");
  });

  it("answers 400 without the signature parameters, 404 for a non-UUID id or a missing file", async () => {
    await expectError(await call(`/files/${fileId}/file-preview?timestamp=1&nonce=a`), 400, "invalid_param", "sign is required");
    await expectError(await call("/files/not-a-uuid/file-preview?timestamp=1&nonce=a&sign=b"), 404, "not_found");
    const missing = crypto.randomUUID();
    await expectError(await call(await signedPath(missing, now())), 404, "not_found", "File not found or signature is invalid");
  });

  it("serves image site icons through the same signing", async () => {
    const icon = await expectShape(await postMultipart(session, "/api/files/upload", fileForm("icon.png", "image/png", PNG_1X1)), fileUploadResponse, 201);
    const patched = await admin(`/admin/apps/${session.app.app_id}`, json({ icon_type: "image", icon: icon.id }, { method: "PATCH" }));
    expect(patched.status).toBe(200);
    const site = (await (await call("/api/site", { headers: { "X-App-Code": session.app.site_code, "X-App-Passport": session.token } })).json()) as {
      site: { icon_url: string };
    };
    expect(site.site.icon_url).toMatch(new RegExp(`^http://api\\.test/files/${icon.id}/file-preview\\?`));
    const res = await call(site.site.icon_url.replace("http://api.test", ""));
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG_1X1);
  });
});

describe("parseRange", () => {
  it("follows RFC 9110 for single ranges", () => {
    expect(parseRange(null, 10)).toBeNull();
    expect(parseRange("bytes=0-0", 10)).toEqual({ offset: 0, length: 1 });
    expect(parseRange("bytes=9-", 10)).toEqual({ offset: 9, length: 1 });
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
    expect(parseRange("bytes=-1", 0)).toBe("unsatisfiable");
    expect(parseRange("bytes=-", 10)).toBeNull();
    expect(parseRange("BYTES = 2 - 3", 10)).toBeNull();
    expect(parseRange("bytes= 2-3", 10)).toEqual({ offset: 2, length: 2 });
  });
});
