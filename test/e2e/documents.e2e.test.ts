// The document extractor's libraries and the HTTP node's JSON repair in the real bundle under
// `wrangler dev` (the test pool is more permissive: it allows eval and resolves CommonJS packages to
// their Node builds), through real workflow apps: files uploaded with POST /api/files/upload go
// into a document-extractor node; an http-request node sends a repaired JSON body to a loopback
// echo server, allowed by SSRF_ALLOWED_HOSTS.
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPassport, importApp, type LocalServer, startServer } from "../../scripts/lib/server.mjs";
import { sseEvents } from "../../scripts/lib/sse-client.mjs";
import { SAMPLE_DOCX_TEXT, SAMPLE_PDF_TEXT, SAMPLE_XLSX_TEXT, sampleDocx, samplePdf, sampleXlsx } from "../workflow/nodes/document-fixtures";

const EXTRACTOR_APP = `
app: { mode: workflow, name: Documents e2e, icon: "📄", icon_background: "#FFEAD5", icon_type: emoji }
kind: app
version: 0.6.0
workflow:
  graph:
    edges:
      - { source: start, sourceHandle: source, target: extract }
      - { source: extract, sourceHandle: source, target: end }
    nodes:
      - id: start
        data:
          type: start
          title: Start
          variables:
            - variable: docs
              label: Documents
              type: file-list
              required: true
              max_length: 10
              allowed_file_types: [document, custom]
              allowed_file_extensions: [".json", ".yaml", ".pptx"]
              allowed_file_upload_methods: [local_file]
      - id: extract
        data: { type: document-extractor, title: Extract, variable_selector: [start, docs], is_array_file: true }
      - id: end
        data:
          type: end
          title: End
          outputs:
            - { variable: texts, value_selector: [extract, text], value_type: "array[string]" }
`;

const HTTP_APP = (url: string) => `
app: { mode: workflow, name: HTTP e2e, icon: "🌐", icon_background: "#FFEAD5", icon_type: emoji }
kind: app
version: 0.6.0
workflow:
  graph:
    edges:
      - { source: start, sourceHandle: source, target: call }
      - { source: call, sourceHandle: source, target: end }
    nodes:
      - { id: start, data: { type: start, title: Start, variables: [] } }
      - id: call
        data:
          type: http-request
          title: Call
          method: post
          url: ${JSON.stringify(url)}
          authorization: { type: no-auth }
          headers: ""
          params: ""
          body:
            type: json
            data:
              - type: text
                value: "{'a': 1.0, b: [1, 2,], 'id': 12345678901234567890}"
      - id: end
        data:
          type: end
          title: End
          outputs:
            - { variable: status, value_selector: [call, status_code], value_type: number }
            - { variable: echoed, value_selector: [call, body], value_type: string }
`;

/** A loopback server that answers every request with the body it received. */
async function startEchoServer() {
  const bodies: { contentType: string; body: string }[] = [];
  const srv = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      bodies.push({ contentType: req.headers["content-type"] ?? "", body: raw });
      res.writeHead(200, { "Content-Type": "application/json" }).end(raw);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  return { port, bodies, close: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
}

let server: LocalServer;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let headers: Record<string, string>;

beforeAll(async () => {
  echo = await startEchoServer();
  server = await startServer({ vars: { SSRF_ALLOWED_HOSTS: `127.0.0.1:${echo.port}`, SSRF_DNS_RESOLVER: "off" } });
  const app = await importApp(server, EXTRACTOR_APP);
  const token = await getPassport(server, app.site_code, "e2e-user");
  headers = { "X-App-Code": app.site_code, "X-App-Passport": token };
});

afterAll(async () => {
  await server?.stop();
  await echo?.close();
});

/** Uploads a file as the end user; the mapping a run's inputs take. */
async function upload(name: string, body: Uint8Array | string, type: string, declared: "document" | "custom") {
  const form = new FormData();
  form.append("file", new Blob([body], { type }), name);
  const res = await fetch(`${server.base}/api/files/upload`, { method: "POST", headers, body: form });
  const json = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(json)).toBe(201);
  return { type: declared, transfer_method: "local_file", upload_file_id: json.id, url: "" };
}

async function run(runHeaders: Record<string, string>, inputs: Record<string, unknown>) {
  const started = Date.now();
  const res = await fetch(`${server.base}/api/workflows/run`, { method: "POST", headers: { ...runHeaders, "Content-Type": "application/json" }, body: JSON.stringify({ inputs }) });
  expect(res.status).toBe(200);
  let finished: Record<string, any> | undefined;
  for await (const event of sseEvents(res.body!)) if (event.event === "workflow_finished") finished = event.data;
  return { ...finished!, ms: Date.now() - started };
}

describe("document extraction in the real bundle (wrangler dev)", () => {
  it("PDF through unpdf, DOCX through mammoth's browser build, XLSX through read-excel-file/universal", async () => {
    const docs = [
      await upload("invoice.pdf", await samplePdf(), "application/pdf", "document"),
      await upload("notes.docx", await sampleDocx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"),
      await upload("book.xlsx", sampleXlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"),
    ];
    const first = await run(headers, { docs });
    expect(first).toMatchObject({ status: "succeeded", outputs: { texts: [SAMPLE_PDF_TEXT, SAMPLE_DOCX_TEXT, SAMPLE_XLSX_TEXT] } });
    // A second PDF runs on the warm library.
    const again = await run(headers, { docs: [await upload("again.pdf", await samplePdf(), "application/pdf", "document")] });
    expect(again).toMatchObject({ status: "succeeded", outputs: { texts: [SAMPLE_PDF_TEXT] } });
    console.log(`document extraction under wrangler dev: pdf+docx+xlsx run ${first.ms} ms, warm pdf run ${again.ms} ms`);
  });

  it("text formats, and a clear failure for an unsupported one", async () => {
    const docs = [
      await upload("data.json", '{"b":1.0,"a":[]}', "application/json", "custom"),
      await upload("t.csv", "a,b\n1,2\n", "text/csv", "document"),
      await upload("c.yaml", "a: [1, 2]\n", "application/yaml", "custom"),
    ];
    expect(await run(headers, { docs })).toMatchObject({
      status: "succeeded",
      outputs: { texts: ['{\n  "b": 1.0,\n  "a": []\n}', "| a | b |\n| - | - |\n| 1 | 2 |\n", "a:\n- 1\n- 2\n"] },
    });
    const deck = await upload("deck.pptx", "x", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "custom");
    expect(await run(headers, { docs: [deck] })).toMatchObject({ status: "failed", error: "Extracting text from PPTX files is not supported on this server" });
  });

  it("the HTTP node's JSON repair (jsonrepair) runs in the bundle", async () => {
    const app = await importApp(server, HTTP_APP(`http://127.0.0.1:${echo.port}/echo`));
    const token = await getPassport(server, app.site_code, "e2e-user");
    const result = await run({ "X-App-Code": app.site_code, "X-App-Passport": token }, {});
    const repaired = '{"a":1.0,"b":[1,2],"id":12345678901234567890}';
    expect(echo.bodies).toEqual([{ contentType: "application/json", body: repaired }]);
    expect(result).toMatchObject({ status: "succeeded", outputs: { status: 200, echoed: repaired } });
  });
});
