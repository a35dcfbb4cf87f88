// POST /api/files/upload (spec dify-web-api.md §4.22) and the signed preview URL it hands out,
// GET /files/{id}/file-preview (§4.2).
import { Hono } from "hono";
import { getDb } from "../db/client";
import { passportAuth } from "../http/auth";
import type { AppEnv, WebAppEnv } from "../http/context";
import { errorResponse } from "../http/error-handler";
import { fileSigner } from "../http/file-signer";
import { uuidParam } from "../http/openapi";
import { doc, multipartBody, validate } from "../http/validate";
import { fileUploadForm, fileUploadResponse, filePreviewQuery } from "../schemas/files";
import { appFeatures } from "../services/apps/app-params";
import { appFileConfigs, assertAppAcceptsUpload } from "../services/files/file-upload-config";
import { filePreview, UnsatisfiableRange } from "../services/files/file-preview";
import { fileResponse } from "../services/files/upload-files";
import { receiveUpload } from "../services/files/upload-receiver";

export const fileUploadRoutes = new Hono<WebAppEnv>();

fileUploadRoutes.post(
  "/files/upload",
  doc({
    summary: "Upload a file (multipart part `file`); it is streamed to storage, never buffered",
    tags: ["files"],
    responses: { 201: { description: "Uploaded", schema: fileUploadResponse } },
  }),
  multipartBody(fileUploadForm),
  passportAuth,
  async (c) => {
    const config = c.get("config");
    const { app } = c.get("appContext");
    const { features, userInputForm } = appFeatures(c.get("appContext"));
    const configs = appFileConfigs(features, userInputForm);
    const length = c.req.header("Content-Length");
    const row = await receiveUpload(
      { db: getDb(c.env.DB), bucket: c.env.FILES, config },
      { tenantId: app.tenantId, endUserId: c.get("endUser").id },
      { body: c.req.raw.body, contentType: c.req.header("Content-Type"), contentLength: length && /^\d+$/.test(length) ? Number(length) : null },
      (file) => assertAppAcceptsUpload(configs, { type: file.type, extension: file.extension, transferMethod: "local_file" }),
    );
    return c.json(await fileResponse(row, fileSigner(config, c.req.url)), 201);
  },
);

export const filePreviewRoutes = new Hono<AppEnv>();

filePreviewRoutes.get(
  `/files/${uuidParam("id")}/file-preview`,
  doc({
    summary: "Download an uploaded file through its signed URL (supports Range)",
    tags: ["files"],
    security: "none",
    responses: {
      200: { description: "The file", contentType: "application/octet-stream" },
      206: { description: "The requested byte range", contentType: "application/octet-stream" },
      403: { description: "Bad or expired signature" },
      416: { description: "Range not satisfiable" },
    },
  }),
  validate("query", filePreviewQuery),
  async (c) => {
    const query = c.req.valid("query");
    try {
      return await filePreview(
        { db: getDb(c.env.DB), bucket: c.env.FILES, signer: fileSigner(c.get("config"), c.req.url) },
        {
          fileId: c.req.param("id")!.toLowerCase(),
          timestamp: query.timestamp,
          nonce: query.nonce,
          sign: query.sign,
          asAttachment: query.as_attachment ?? false,
          range: c.req.header("Range") ?? null,
        },
      );
    } catch (err) {
      if (!(err instanceof UnsatisfiableRange)) throw err;
      const res = errorResponse(err, c);
      res.headers.set("Content-Range", `bytes */${err.size}`);
      return res;
    }
  },
);
