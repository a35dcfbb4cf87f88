import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { fileUploadResponse } from "../../src/schemas/files";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import { sha256Hex } from "../../src/lib/crypto";
import { receiveUpload } from "../../src/services/files/upload-receiver";
import { appSession, call, expectError, expectShape, json, webHeaders } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";
import {
  chatAppYaml,
  expectNothingStored,
  fileForm,
  PNG_1X1,
  postMultipart,
  pseudoRandomBytes,
  r2Keys,
  rawMultipart,
  type Session,
  uploadHeaders,
  uploadRowCount,
  withConfig,
} from "../helpers/files";

let chat: Session & { endUserId: string };
let docs: Session;


beforeAll(async () => {
  const session = await appSession(demoApp("chat"));
  const site = (await (await session.get("/api/site")).json()) as { end_user_id: string };
  chat = { ...session, endUserId: site.end_user_id };
  docs = await appSession(
    chatAppYaml(demoApp("chat"), {
      fileUpload: {
        enabled: true,
        allowed_file_types: ["document", "custom"],
        allowed_file_extensions: [".ZIP"],
        allowed_file_upload_methods: ["local_file"],
        number_limits: 3,
      },
    }),
  );
});

describe("POST /api/files/upload", () => {
  it("streams the file into R2 and answers 201 with Dify's FileResponse", async () => {
    const res = await postMultipart(chat, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1));
    const body = await expectShape(res, fileUploadResponse, 201);
    expect(body).toMatchObject({ name: "pixel.png", size: PNG_1X1.byteLength, extension: "png", mime_type: "image/png", created_by: chat.endUserId });
    expect(body.created_at).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(body.source_url).toMatch(new RegExp(`^http://api\\.test/files/${body.id}/file-preview\\?timestamp=\\d+&nonce=[0-9a-f]{32}&sign=`));

    const row = await env.DB.prepare("SELECT * FROM upload_files WHERE id = ?").bind(body.id).first<Record<string, unknown>>();
    expect(row).toMatchObject({
      key: `upload_files/${row!.tenant_id}/${body.id}.png`,
      created_by_role: "end_user",
      created_by: chat.endUserId,
      size: PNG_1X1.byteLength,
      hash: await sha256Hex(PNG_1X1),
      source_url: "",
      used: 0,
    });
    const object = await env.FILES.get(row!.key as string);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(PNG_1X1);
    expect(object!.httpMetadata?.contentType).toBe("image/png");

    const preview = await call(body.source_url.replace("http://api.test", ""));
    expect(preview.status).toBe(200);
    expect(new Uint8Array(await preview.arrayBuffer())).toEqual(PNG_1X1);
  });

  it("stores a file larger than one R2 part through a multipart upload, bytes and hash intact", async () => {
    const bytes = pseudoRandomBytes(9 * 1024 * 1024 + 123, 7);
    const res = await postMultipart(chat, "/api/files/upload", fileForm("big.png", "image/png", bytes));
    const body = await expectShape(res, fileUploadResponse, 201);
    expect(body.size).toBe(bytes.byteLength);
    const row = await env.DB.prepare("SELECT key, hash FROM upload_files WHERE id = ?").bind(body.id).first<{ key: string; hash: string }>();
    expect(row!.hash).toBe(await sha256Hex(bytes));
    const object = await env.FILES.get(row!.key);
    expect(await sha256Hex(new Uint8Array(await object!.arrayBuffer()))).toBe(row!.hash);
  });

  it("answers no_file_uploaded without a file part", async () => {
    const cases: (() => Promise<Response>)[] = [
      () => call("/api/files/upload", json({ file: "x" }, { headers: webHeaders(chat.app.site_code, chat.token) })),
      () => postMultipart(chat, "/api/files/upload", [{ name: "source", data: "datasets" }]),
      () => postMultipart(chat, "/api/files/upload", [{ name: "image", filename: "a.png", type: "image/png", data: PNG_1X1 }]),
      // A part named file without a filename is a form field, not a file (werkzeug).
      () => postMultipart(chat, "/api/files/upload", [{ name: "file", data: "not a file" }]),
    ];
    for (const run of cases) await expectNothingStored(run, 400, "no_file_uploaded", "Please upload your file.");
  });

  it("answers too_many_files for a second file part and keeps nothing, even after storing the first", async () => {
    await expectNothingStored(
      () =>
        postMultipart(chat, "/api/files/upload", [
          { name: "file", filename: "a.png", type: "image/png", data: PNG_1X1 },
          { name: "other", filename: "b.png", type: "image/png", data: PNG_1X1 },
        ]),
      400,
      "too_many_files",
      "Only one file is allowed.",
    );
  });

  it("answers filename_not_exists_error for an empty filename", async () => {
    await expectNothingStored(
      () => postMultipart(chat, "/api/files/upload", [{ name: "file", filename: "", type: "image/png", data: PNG_1X1 }]),
      400,
      "filename_not_exists_error",
      "The specified filename does not exist.",
    );
  });

  it("refuses filenames with path or shell characters", async () => {
    for (const filename of ["a:b.png", "a*b.png", "a?b.png", "a<b>.png", "a|b.png", "..\\\\x.png", "dir/x.png"]) {
      await expectNothingStored(
        () => postMultipart(chat, "/api/files/upload", [{ name: "file", filename, type: "image/png", data: PNG_1X1 }]),
        400,
        "invalid_param",
        "Filename contains invalid characters",
      );
    }
  });

  it("refuses extensions in UPLOAD_FILE_EXTENSION_BLACKLIST", async () => {
    await withConfig({ uploadFileExtensionBlacklist: ["exe", "png"] }, () =>
      expectNothingStored(
        () => postMultipart(chat, "/api/files/upload", fileForm("PIXEL.PNG", "image/png", PNG_1X1)),
        400,
        "file_extension_blocked",
        "The file extension is blocked for security reasons.",
      ),
    );
  });

  it("answers 413 file_too_large once the stream passes the image limit, leaving nothing in R2 or D1", async () => {
    const tooBig = pseudoRandomBytes(10 * 1024 * 1024 + 1, 3);
    await expectNothingStored(
      () => postMultipart(chat, "/api/files/upload", fileForm("huge.png", "image/png", tooBig)),
      413,
      "file_too_large",
      "File size exceeded. The limit for image files is 10 MB.",
    );
    // Exactly at the limit is fine.
    const res = await postMultipart(chat, "/api/files/upload", fileForm("max.png", "image/png", tooBig.subarray(1)));
    expect((await expectShape(res, fileUploadResponse, 201)).size).toBe(10 * 1024 * 1024);
  });

  it("refuses up front, without reading the body, when Content-Length exceeds every limit", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const upload = receiveUpload(
      { db: getDb(env.DB), bucket: env.FILES, config: getConfig(env) },
      { tenantId: "t", endUserId: chat.endUserId },
      { body, contentType: "multipart/form-data; boundary=x", contentLength: 101 * 1024 * 1024 },
      () => {},
    );
    await expect(upload).rejects.toMatchObject({ code: "file_too_large", status: 413, message: "File size exceeded. The largest upload allowed is 100 MB." });
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("uses the configured per-type limits", async () => {
    await withConfig({ uploadFileSizeLimitMb: 1 }, async () => {
      await expectNothingStored(
        () => postMultipart(docs, "/api/files/upload", fileForm("report.pdf", "application/pdf", pseudoRandomBytes(1024 * 1024 + 1))),
        413,
        "file_too_large",
        "File size exceeded. The limit for other files is 1 MB.",
      );
    });
  });

  it("answers 415 unsupported_file_type when nothing in the app takes the file (beyond Dify)", async () => {
    // The demo chat app takes images only.
    await expectNothingStored(() => postMultipart(chat, "/api/files/upload", fileForm("report.pdf", "application/pdf", "%PDF-1.4")), 415, "unsupported_file_type", "File type not allowed.");
    // Custom files need a listed extension.
    await expectNothingStored(() => postMultipart(docs, "/api/files/upload", fileForm("a.rar", "application/x-rar", "rar")), 415, "unsupported_file_type");
    // The docs app allows local uploads of documents, not images.
    await expectNothingStored(() => postMultipart(docs, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1)), 415, "unsupported_file_type");
    const remoteOnly = await appSession(
      chatAppYaml(demoApp("chat"), { fileUpload: { image: { enabled: true, number_limits: 1, detail: "low", transfer_methods: ["remote_url"] } } }),
    );
    await expectNothingStored(() => postMultipart(remoteOnly, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1)), 415, "unsupported_file_type");
  });

  it("accepts what the app's config or its file inputs allow", async () => {
    expect((await postMultipart(docs, "/api/files/upload", fileForm("report.pdf", "application/pdf", "%PDF-1.4"))).status).toBe(201);
    const zip = await postMultipart(docs, "/api/files/upload", fileForm("bundle.zip", "application/zip", "PK"));
    expect((await expectShape(zip, fileUploadResponse, 201)).extension).toBe("zip");
    const withInput = await appSession(
      chatAppYaml(demoApp("chat"), {
        fileUpload: { enabled: false },
        userInputForm: [{ "file-list": { variable: "papers", label: "Papers", allowed_file_types: ["document"], allowed_file_upload_methods: ["local_file"], max_length: 2 } }],
      }),
    );
    expect((await postMultipart(withInput, "/api/files/upload", fileForm("a.md", "text/markdown", "# hi"))).status).toBe(201);
    await expectError(await postMultipart(withInput, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1)), 415, "unsupported_file_type");
  });

  it("requires a document when source is datasets, whichever part comes first", async () => {
    await expectNothingStored(() => postMultipart(chat, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1, { source: "datasets" })), 415, "unsupported_file_type");
    await expectNothingStored(
      () =>
        postMultipart(chat, "/api/files/upload", [
          { name: "source", data: "datasets" },
          { name: "file", filename: "pixel.png", type: "image/png", data: PNG_1X1 },
        ]),
      415,
      "unsupported_file_type",
    );
    // Any other source value is ignored, as in Dify.
    expect((await postMultipart(chat, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1, { source: "web" }))).status).toBe(201);
  });

  it("shortens names over 200 characters the way Dify does and keeps UTF-8 names", async () => {
    const long = `${"n".repeat(250)}.png`;
    const res = await postMultipart(chat, "/api/files/upload", fileForm(long, "image/png", PNG_1X1));
    expect((await expectShape(res, fileUploadResponse, 201)).name).toBe(`${"n".repeat(200)}.png`);
    const utf8 = await postMultipart(chat, "/api/files/upload", fileForm("照片 1.png", "image/png", PNG_1X1));
    expect((await expectShape(utf8, fileUploadResponse, 201)).name).toBe("照片 1.png");
  });

  it("guesses the MIME type from the extension when the client sends none", async () => {
    const res = await postMultipart(chat, "/api/files/upload", [{ name: "file", filename: "photo.JPG", data: PNG_1X1 }]);
    expect(await expectShape(res, fileUploadResponse, 201)).toMatchObject({ extension: "jpg", mime_type: "image/jpeg" });
  });

  it("answers 400 for a malformed multipart body and keeps nothing", async () => {
    const raw = rawMultipart([{ name: "file", filename: "a.png", type: "image/png", data: PNG_1X1 }]);
    const truncated = raw.body.subarray(0, raw.body.byteLength - 30);
    await expectNothingStored(
      () => call("/api/files/upload", { method: "POST", body: truncated, headers: uploadHeaders(chat, raw.contentType) }),
      400,
      "bad_request",
      /^Invalid multipart\/form-data body/,
    );
  });

  it("keeps nothing when the client goes away mid-upload", async () => {
    const raw = rawMultipart([{ name: "file", filename: "a.png", type: "image/png", data: pseudoRandomBytes(9 * 1024 * 1024) }]);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8.5 * 1024 * 1024) return controller.error(new Error("client disconnected"));
        const chunk = raw.body.subarray(sent, sent + 64 * 1024);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const keys = await r2Keys();
    const rows = await uploadRowCount();
    // workerd hands the worker a body that just ends early (400 here); a rejected call is fine too.
    const res = await call("/api/files/upload", { method: "POST", body, headers: uploadHeaders(chat, raw.contentType) }).catch(() => null);
    if (res) expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await r2Keys()).toEqual(keys);
    expect(await uploadRowCount()).toBe(rows);
  });

  it("requires a passport", async () => {
    const res = await call("/api/files/upload", { method: "POST", body: fileForm("pixel.png", "image/png", PNG_1X1) });
    await expectError(res, 401, "unauthorized", "App token is missing.");
  });
});
