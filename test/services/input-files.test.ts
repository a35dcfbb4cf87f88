import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import { ApiError } from "../../src/lib/errors";
import { fileSigner } from "../../src/http/file-signer";
import { base64ToBytes } from "../../src/lib/crypto";
import { featureFileUploadConfig, type FileUploadConfig } from "../../src/services/files/file-upload-config";
import {
  discardFetchedFiles,
  type FileInputDeps,
  imageContentPart,
  imageDetail,
  resolveFileInput,
  resolveFiles,
  resolveMessageFiles,
} from "../../src/services/files/input-files";
import { fileUploadResponse } from "../../src/schemas/files";
import { call, expectShape, importDsl, passport } from "../helpers/api";
import { fakeInternet } from "../helpers/fake-internet";
import { demoApp } from "../helpers/fixtures";
import { chatAppYaml, fileForm, PNG_1X1, postMultipart, r2Keys, type Session, uploadRowCount } from "../helpers/files";

const FILE_SERVER = "127.0.0.1:8765";
const LEGACY = { image: { enabled: true, number_limits: 3, detail: "low", transfer_methods: ["local_file", "remote_url"] } };
const CURRENT = {
  enabled: true,
  allowed_file_types: ["image", "document", "custom"],
  allowed_file_extensions: [".ZIP"],
  allowed_file_upload_methods: ["local_file", "remote_url"],
  number_limits: 4,
  image: { detail: "high" },
};

interface User extends Session {
  endUserId: string;
}

let tenantId: string;
let alice: User;
let bob: User;
let alicePng: string;
let alicePdf: string;
let aliceZip: string;
let bobPng: string;

async function user(app: Session["app"], sessionId: string): Promise<User> {
  const token = await passport(app.site_code, sessionId);
  const site = (await (await call("/api/site", { headers: { "X-App-Code": app.site_code, "X-App-Passport": token } })).json()) as { end_user_id: string };
  return { app, token, endUserId: site.end_user_id };
}

async function uploaded(who: Session, name: string, type: string, bytes: Uint8Array | string): Promise<string> {
  return (await expectShape(await postMultipart(who, "/api/files/upload", fileForm(name, type, bytes)), fileUploadResponse, 201)).id;
}

const deps = (who: User): FileInputDeps => ({
  db: getDb(env.DB),
  bucket: env.FILES,
  config: getConfig(env),
  policy: { allowedHosts: new Set([FILE_SERVER]), resolve: async () => ["93.184.215.14"], timeoutMs: 1000, maxRedirects: 3 },
  owner: { tenantId, endUserId: who.endUserId },
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

beforeAll(async () => {
  const app = await importDsl(chatAppYaml(demoApp("chat"), { fileUpload: CURRENT }));
  tenantId = (await env.DB.prepare("SELECT tenant_id FROM apps WHERE id = ?").bind(app.app_id).first<string>("tenant_id"))!;
  alice = await user(app, "alice");
  bob = await user(app, "bob");
  alicePng = await uploaded(alice, "pixel.png", "image/png", PNG_1X1);
  alicePdf = await uploaded(alice, "report.pdf", "application/pdf", "%PDF-1.4");
  aliceZip = await uploaded(alice, "bundle.zip", "application/zip", "PK");
  bobPng = await uploaded(bob, "bob.png", "image/png", PNG_1X1);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const local = (id: string, type = "image") => ({ type, transfer_method: "local_file", upload_file_id: id, url: "" });
const remote = (url: string, type = "image") => ({ type, transfer_method: "remote_url", url });

describe("resolveMessageFiles", () => {
  it("resolves the end user's own uploads to typed files", async () => {
    const files = await resolveMessageFiles(deps(alice), CURRENT, [local(alicePng), local(alicePdf, "document"), local(aliceZip, "custom")]);
    expect(files).toHaveLength(3);
    expect(files[0]).toMatchObject({
      type: "image",
      transferMethod: "local_file",
      uploadFileId: alicePng,
      remoteUrl: null,
      filename: "pixel.png",
      extension: "png",
      mimeType: "image/png",
      size: PNG_1X1.byteLength,
      key: `upload_files/${tenantId}/${alicePng}.png`,
      fetched: false,
    });
    expect(files[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(files.map((f) => f.type)).toEqual(["image", "document", "custom"]);
  });

  it("answers 404 for another end user's upload exactly as for a missing one", async () => {
    for (const id of [bobPng, crypto.randomUUID()]) {
      const err = await rejection(resolveMessageFiles(deps(alice), CURRENT, [local(id)]));
      expect(err.toJSON()).toEqual({ code: "not_found", message: "Invalid upload file", status: 404 });
    }
  });

  it("answers Dify's messages for malformed mappings", async () => {
    const cases: [unknown, string][] = [
      [{ type: "image", transfer_method: "local_file" }, "Invalid upload file id"],
      [local("not-a-uuid"), "Invalid upload file id format"],
      [{ type: "image", transfer_method: "tool_file", tool_file_id: alicePng }, "Invalid file transfer method: tool_file"],
      [local(alicePng, "picture"), "'picture' is not a valid FileType"],
      // Issue 15: entries Dify's mapping cannot build are refused, not silently dropped.
      [{}, "Invalid file transfer method: None"],
      [{ type: "image" }, "Invalid file transfer method: None"],
      [{ type: "image", transfer_method: "remote_url" }, "Invalid file url"],
      [null, "Invalid file mapping: expected an object"],
    ];
    for (const [mapping, message] of cases) {
      expect((await rejection(resolveMessageFiles(deps(alice), CURRENT, [mapping]))).toJSON()).toEqual({ code: "invalid_param", message, status: 400 });
    }
    expect((await rejection(resolveMessageFiles(deps(alice), CURRENT, "x"))).code).toBe("invalid_param");
  });

  it("ignores files when the app's file upload is off, as Dify does", async () => {
    expect(await resolveMessageFiles(deps(alice), { enabled: false }, [local(bobPng)])).toEqual([]);
    expect(await resolveMessageFiles(deps(alice), undefined, [local(alicePng)])).toEqual([]);
    expect(await resolveMessageFiles(deps(alice), CURRENT, null)).toEqual([]);
  });

  it("enforces allowed types, extensions and upload methods", async () => {
    const imagesOnly = { ...CURRENT, allowed_file_types: ["image"] };
    expect((await rejection(resolveMessageFiles(deps(alice), imagesOnly, [local(alicePdf, "document")]))).message).toBe("File validation failed for file: report.pdf");
    const noZip = { ...CURRENT, allowed_file_extensions: [".rar"] };
    expect((await rejection(resolveMessageFiles(deps(alice), noZip, [local(aliceZip, "custom")]))).message).toBe("File validation failed for file: bundle.zip");
    // Legacy image config that only takes local files: a remote image is refused before any fetch.
    const net = fakeInternet({});
    const localOnly = { image: { ...LEGACY.image, transfer_methods: ["local_file"] } };
    const err = await rejection(resolveMessageFiles(deps(alice), localOnly, [remote(`http://${FILE_SERVER}/cat.png`)]));
    expect(err.message).toBe(`File validation failed for file: http://${FILE_SERVER}/cat.png`);
    expect(net.spy).not.toHaveBeenCalled();
  });

  it("enforces number_limits and the image limit with Dify's messages", async () => {
    const four = [local(alicePng), local(alicePng), local(alicePng), local(alicePng)];
    expect((await rejection(resolveMessageFiles(deps(alice), LEGACY, four))).message).toBe("Number of files exceeds the maximum limit 3");
    const config: FileUploadConfig = { ...featureFileUploadConfig(CURRENT)!, numberLimits: 0, image: { numberLimits: 1, detail: "high", transferMethods: [] } };
    expect((await rejection(resolveFiles(deps(alice), [local(alicePng), local(alicePng)], config))).message).toBe("Number of image files exceeds the maximum limit 1");
  });

  it("checks declared against detected types only in strict mode (workflows)", async () => {
    const [lenient] = await resolveMessageFiles(deps(alice), CURRENT, [local(alicePng, "document")]);
    expect(lenient.type).toBe("document");
    const err = await rejection(resolveMessageFiles(deps(alice), CURRENT, [local(alicePng, "document")], { strictType: true }));
    expect(err.message).toBe("Detected file type does not match the specified type. Please verify the file.");
  });

  it("fetches remote URLs through the SSRF guard into R2 as the end user's upload", async () => {
    const net = fakeInternet({ [FILE_SERVER]: () => new Response(PNG_1X1, { headers: { "Content-Type": "image/png" } }) });
    const [file] = await resolveMessageFiles(deps(alice), LEGACY, [remote(`http://${FILE_SERVER}/img/cat.png`)]);
    expect(file).toMatchObject({ type: "image", transferMethod: "remote_url", remoteUrl: `http://${FILE_SERVER}/img/cat.png`, filename: "cat.png", fetched: true });
    const row = await env.DB.prepare("SELECT created_by, source_url FROM upload_files WHERE id = ?").bind(file.uploadFileId).first();
    expect(row).toEqual({ created_by: alice.endUserId, source_url: `http://${FILE_SERVER}/img/cat.png` });
    expect(new Uint8Array(await (await env.FILES.get(file.key))!.arrayBuffer())).toEqual(PNG_1X1);
    expect(net.requests).toHaveLength(1);

    // A remote_url mapping naming an upload (what the client sends after /remote-files/upload) is not fetched again.
    const [again] = await resolveMessageFiles(deps(alice), LEGACY, [{ ...remote(`http://${FILE_SERVER}/img/cat.png`), upload_file_id: file.uploadFileId }]);
    expect(again).toMatchObject({ uploadFileId: file.uploadFileId, transferMethod: "remote_url", fetched: false });
    expect(net.requests).toHaveLength(1);
    // ...and it must be the end user's own.
    expect((await rejection(resolveMessageFiles(deps(bob), LEGACY, [{ ...remote("http://x.example.com/a.png"), upload_file_id: file.uploadFileId }]))).status).toBe(404);
  });

  it("refuses forbidden URLs before connecting and deletes what it fetched when a later file fails", async () => {
    const net = fakeInternet({ [FILE_SERVER]: () => new Response(PNG_1X1, { headers: { "Content-Type": "image/png" } }) });
    expect((await rejection(resolveMessageFiles(deps(alice), LEGACY, [remote("http://[::ffff:169.254.169.254]/latest")]))).code).toBe("remote_file_url_blocked");
    expect(net.spy).not.toHaveBeenCalled();

    const keys = await r2Keys();
    const rows = await uploadRowCount();
    const err = await rejection(resolveMessageFiles(deps(alice), LEGACY, [remote(`http://${FILE_SERVER}/one.png`), remote(`http://${FILE_SERVER}/two.png`), local(bobPng)]));
    expect(err.status).toBe(404);
    expect(net.requests).toHaveLength(2);
    expect(await r2Keys()).toEqual(keys);
    expect(await uploadRowCount()).toBe(rows);
  });

  it("discards only the files it fetched when the caller gives up", async () => {
    fakeInternet({ [FILE_SERVER]: () => new Response(PNG_1X1, { headers: { "Content-Type": "image/png" } }) });
    const rows = await uploadRowCount();
    const files = await resolveMessageFiles(deps(alice), LEGACY, [remote(`http://${FILE_SERVER}/x.png`), local(alicePng)]);
    expect(await uploadRowCount()).toBe(rows + 1);
    await discardFetchedFiles(deps(alice), files);
    expect(await uploadRowCount()).toBe(rows);
    expect(await env.FILES.head(files[1].key)).not.toBeNull();
  });
});

describe("resolveFileInput", () => {
  const papers = { variable: "papers", label: "Papers", type: "file-list", max_length: 2, allowed_file_types: ["document"], allowed_file_upload_methods: ["local_file"] };
  const photo = { variable: "photo", label: "Photo", type: "file", allowed_file_types: ["image"], allowed_file_upload_methods: ["local_file"] };

  it("validates file and file-list values with Dify's messages", async () => {
    const one = await resolveFileInput(deps(alice), photo, local(alicePng));
    expect(one).toMatchObject({ uploadFileId: alicePng, type: "image" });
    const list = await resolveFileInput(deps(alice), papers, [local(alicePdf, "document")]);
    expect(Array.isArray(list) && list.map((f) => f.filename)).toEqual(["report.pdf"]);
    expect(await resolveFileInput(deps(alice), photo, "")).toBeNull();

    const cases: [Record<string, unknown>, unknown, string][] = [
      [papers, [local(alicePdf, "document"), local(alicePdf, "document"), local(alicePdf, "document")], "papers in input form must be less than 2 files"],
      [papers, local(alicePdf, "document"), "papers in input form must be a list of files"],
      [papers, ["x"], "papers in input form must be a list of files"],
      [photo, "a.png", "photo in input form must be a file"],
      [photo, local(alicePdf, "document"), "File validation failed for file: report.pdf"],
      [photo, remote(`http://${FILE_SERVER}/a.png`), `File validation failed for file: http://${FILE_SERVER}/a.png`],
    ];
    for (const [variable, value, message] of cases) {
      expect((await rejection(resolveFileInput(deps(alice), variable, value))).message).toBe(message);
    }
    expect((await rejection(resolveFileInput(deps(bob), photo, local(alicePng)))).status).toBe(404);
  });
});

describe("imageContentPart", () => {
  it("builds an OpenAI image_url part from R2 as a data URL, or as a signed URL", async () => {
    const [file] = await resolveMessageFiles(deps(alice), LEGACY, [local(alicePng)]);
    const signer = fileSigner(getConfig(env), "http://api.test/");
    const inline = await imageContentPart({ bucket: env.FILES, signer, format: "base64" }, file, imageDetail(LEGACY));
    expect(inline.type).toBe("image_url");
    expect(inline.image_url.detail).toBe("low");
    const [prefix, data] = inline.image_url.url.split(",");
    expect(prefix).toBe("data:image/png;base64");
    expect(base64ToBytes(data)).toEqual(PNG_1X1);

    const linked = await imageContentPart({ bucket: env.FILES, signer, format: "url" }, file, imageDetail(CURRENT));
    expect(linked).toEqual({ type: "image_url", image_url: { url: expect.stringMatching(new RegExp(`^http://api\\.test/files/${alicePng}/file-preview\\?`)), detail: "high" } });
    const fetched = await call(linked.image_url.url.replace("http://api.test", ""));
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(PNG_1X1);
  });

  it("reads the detail from the config, defaulting to high", () => {
    expect(imageDetail(LEGACY)).toBe("low");
    expect(imageDetail(CURRENT)).toBe("high");
    expect(imageDetail({ enabled: true, image: { detail: "low" } })).toBe("low");
    expect(imageDetail(undefined)).toBe("high");
  });
});
