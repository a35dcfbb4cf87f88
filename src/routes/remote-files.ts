// POST /api/remote-files/upload and GET /api/remote-files/{url} (spec dify-web-api.md §4.23, §4.24),
// both through the SSRF guard (services/ssrf.ts).
import { Hono } from "hono";
import { getDb } from "../db/client";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { fileSigner } from "../http/file-signer";
import { doc, validate } from "../http/validate";
import { remoteFileInfoParam, remoteFileInfoResponse, remoteFileUploadBody, remoteFileUploadResponse } from "../schemas/files";
import { appFeatures } from "../services/apps/app-params";
import { appFileConfigs, assertAppAcceptsUpload } from "../services/files/file-upload-config";
import { importRemoteFile, probeRemoteFile } from "../services/files/remote-files";
import { ssrfPolicy } from "../lib/ssrf";
import { remoteFileResponse } from "../services/files/upload-files";

export const remoteFileRoutes = new Hono<WebAppEnv>();

remoteFileRoutes.post(
  "/remote-files/upload",
  doc({
    summary: "Fetch a file from an http(s) URL into storage (SSRF-guarded)",
    tags: ["files"],
    responses: { 201: { description: "Uploaded", schema: remoteFileUploadResponse } },
  }),
  passportAuth,
  validate("json", remoteFileUploadBody),
  async (c) => {
    const config = c.get("config");
    const ctx = c.get("appContext");
    const { features, userInputForm } = appFeatures(ctx);
    const configs = appFileConfigs(features, userInputForm);
    const row = await importRemoteFile(
      { db: getDb(c.env.DB), bucket: c.env.FILES, config, policy: ssrfPolicy(config) },
      { tenantId: ctx.app.tenantId, endUserId: c.get("endUser").id },
      c.req.valid("json").url,
      (file) => assertAppAcceptsUpload(configs, { type: file.type, extension: file.extension, transferMethod: "remote_url" }),
    );
    return c.json(await remoteFileResponse(row, fileSigner(config, c.req.url)), 201);
  },
);

remoteFileRoutes.get(
  "/remote-files/:url{.+}",
  doc({
    summary: "Content type and length of a remote file (SSRF-guarded HEAD, then GET)",
    tags: ["files"],
    responses: { 200: { description: "Remote file info", schema: remoteFileInfoResponse } },
  }),
  passportAuth,
  validate("param", remoteFileInfoParam),
  async (c) => c.json(await probeRemoteFile(ssrfPolicy(c.get("config")), c.req.valid("param").url)),
);
