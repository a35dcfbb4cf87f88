// TEST-ONLY routes: they prove, end to end under `wrangler dev`, that the document libraries (unpdf,
// mammoth, read-excel-file) and jsonrepair load and work in the real bundle, where the test pool is
// more permissive (eval, Node builds of CommonJS packages). They exist until the workflow endpoint
// can run a document-extractor node; then the end-to-end test moves there and this file goes.
// Every request answers 404 unless DEV_DOCUMENT_CHECK=1, which only test/e2e sets.
import { Hono } from "hono";
import type { AppEnv } from "../http/context";
import { NotFound } from "../lib/errors";
import { jsonBody } from "../workflow/http/json-body";
import { documentExtractorNode } from "../workflow/nodes/document-extractor";
import type { FileValue } from "../workflow/segments";
import { NodeError, type NodeRun, type NodeServices } from "../workflow/types";
import { VariablePool } from "../workflow/variable-pool";

export const devDocumentCheckRoutes = new Hono<AppEnv>();

devDocumentCheckRoutes.use("*", async (c, next) => {
  if ((c.env as unknown as Record<string, unknown>).DEV_DOCUMENT_CHECK !== "1") throw new NotFound();
  await next();
});

/** POST /_dev/document-text?name=<file name> with the file as the body → {text} from the real node. */
devDocumentCheckRoutes.post("/document-text", async (c) => {
  const name = c.req.query("name") ?? "";
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const dot = name.lastIndexOf(".");
  const file: FileValue = {
    dify_model_identity: "__dify__file__",
    id: null,
    tenant_id: "dev",
    type: "document",
    transfer_method: "local_file",
    remote_url: null,
    related_id: "dev",
    filename: name,
    extension: dot > 0 ? name.slice(dot).toLowerCase() : "",
    mime_type: c.req.header("Content-Type") ?? "",
    size: bytes.length,
  };
  const services = { readFile: async () => bytes } as unknown as NodeServices;
  const run = {
    node: { id: "doc", type: "document-extractor", title: "doc", data: { type: "document-extractor", variable_selector: ["in", "file"] }, parent: null },
    pool: new VariablePool({ in: { file } }),
    services,
    signal: c.req.raw.signal,
  } as unknown as NodeRun;
  const started = Date.now();
  try {
    const outcome = await documentExtractorNode.run(run);
    return c.json({ text: outcome.outputs.text, ms: Date.now() - started });
  } catch (err) {
    if (!(err instanceof NodeError)) throw err;
    return c.json({ error: err.message, error_type: err.errorType }, 422);
  }
});

/** POST /_dev/json-body with the rendered text → the body the HTTP node would send. */
devDocumentCheckRoutes.post("/json-body", async (c) => c.text(jsonBody(await c.req.text())));
