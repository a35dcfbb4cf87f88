// The document extractor's libraries in the real bundle under `wrangler dev` (the test pool is more
// permissive: it allows eval and resolves CommonJS packages to their Node builds). Until the workflow
// endpoint runs a document-extractor node, this goes through the test-only route
// src/routes/dev-document-check.ts, switched on by DEV_DOCUMENT_CHECK=1 for this server only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startServer } from "../../scripts/lib/server.mjs";
import { SAMPLE_DOCX_TEXT, SAMPLE_PDF_TEXT, SAMPLE_XLSX_TEXT, sampleDocx, samplePdf, sampleXlsx } from "../workflow/nodes/document-fixtures";

let server: LocalServer;

beforeAll(async () => {
  server = await startServer({ vars: { DEV_DOCUMENT_CHECK: "1" } });
});

afterAll(async () => {
  await server?.stop();
});

async function extract(name: string, body: Uint8Array | string, type = "application/octet-stream") {
  const res = await fetch(`${server.base}/_dev/document-text?name=${encodeURIComponent(name)}`, { method: "POST", headers: { "Content-Type": type }, body });
  return { status: res.status, body: (await res.json()) as { text?: unknown; ms?: number; error?: string; error_type?: string } };
}

describe("document extraction in the real bundle (wrangler dev)", () => {
  it("PDF through unpdf, DOCX through mammoth's browser build, XLSX through read-excel-file/universal", async () => {
    const pdf = await extract("invoice.pdf", await samplePdf(), "application/pdf");
    expect(pdf).toMatchObject({ status: 200, body: { text: SAMPLE_PDF_TEXT } });
    const docx = await extract("notes.docx", await sampleDocx());
    expect(docx).toMatchObject({ status: 200, body: { text: SAMPLE_DOCX_TEXT } });
    const xlsx = await extract("book.xlsx", sampleXlsx());
    expect(xlsx).toMatchObject({ status: 200, body: { text: SAMPLE_XLSX_TEXT } });
    // A second PDF runs on the warm library.
    const again = await extract("again.pdf", await samplePdf(), "application/pdf");
    expect(again.body.text).toBe(SAMPLE_PDF_TEXT);
    console.log(`document extraction under wrangler dev: pdf ${pdf.body.ms} ms (warm ${again.body.ms} ms), docx ${docx.body.ms} ms, xlsx ${xlsx.body.ms} ms`);
  });

  it("text formats, and a clear failure for an unsupported one", async () => {
    expect((await extract("data.json", '{"b":1.0,"a":[]}')).body.text).toBe('{\n  "b": 1.0,\n  "a": []\n}');
    expect((await extract("t.csv", "a,b\n1,2\n")).body.text).toBe("| a | b |\n| - | - |\n| 1 | 2 |\n");
    expect((await extract("c.yaml", "a: [1, 2]\n")).body.text).toBe("a:\n- 1\n- 2\n");
    expect(await extract("deck.pptx", "x")).toEqual({ status: 422, body: { error: "Extracting text from PPTX files is not supported on this server", error_type: "UnsupportedFileTypeError" } });
  });

  it("the HTTP node's JSON repair (jsonrepair) runs in the bundle", async () => {
    const res = await fetch(`${server.base}/_dev/json-body`, { method: "POST", body: "{'a': 1.0, b: [1, 2,], 'id': 12345678901234567890}" });
    expect(await res.text()).toBe('{"a":1.0,"b":[1,2],"id":12345678901234567890}');
  });
});
