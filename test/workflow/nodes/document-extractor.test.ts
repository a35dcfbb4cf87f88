// document-extractor on real small documents built in the test (DOCX by `docx`, PDF by pdf-lib,
// XLSX zipped by fflate) and on inline text formats, with the text Dify would extract.
import { describe, expect, it } from "vitest";
import { docxHtmlToText } from "../../../src/workflow/documents/docx";
import { readCsv } from "../../../src/workflow/documents/tables";
import { documentExtractorNode } from "../../../src/workflow/nodes/document-extractor";
import type { FileValue, Json } from "../../../src/workflow/segments";
import { fakeServices, runGraph, runNode } from "../../helpers/workflow";
import { fileValue } from "./file-values";
import { SAMPLE_DOCX_TEXT, SAMPLE_PDF_TEXT, SAMPLE_XLSX_TEXT, sampleDocx, samplePdf, sampleXlsx } from "./document-fixtures";

const enc = new TextEncoder();

/** Files by related_id, read by services.readFile. */
function store(entries: Record<string, Uint8Array | string>) {
  const bytes = new Map(Object.entries(entries).map(([k, v]) => [k, typeof v === "string" ? enc.encode(v) : v]));
  const reads: string[] = [];
  const services = fakeServices({
    readFile: async (f) => {
      reads.push(f.filename);
      const b = bytes.get(f.related_id ?? "");
      if (!b) throw new Error("object not found");
      return b;
    },
  });
  return { services, reads };
}

const file = (id: string, filename: string, extension: string, mime = "application/octet-stream", over: Partial<FileValue> = {}) =>
  fileValue(filename, { related_id: id, extension, mime_type: mime, ...over });

async function extract(value: unknown, entries: Record<string, Uint8Array | string>) {
  const { services } = store(entries);
  return (await runNode("document-extractor", { variable_selector: ["start", "doc"] }, { start: { doc: value as Json[string] } }, services)).outputs.text;
}

async function failure(value: unknown, entries: Record<string, Uint8Array | string> = {}): Promise<{ message: string; errorType: string }> {
  try {
    await extract(value, entries);
  } catch (err) {
    return { message: (err as Error).message, errorType: (err as { errorType: string }).errorType };
  }
  throw new Error("expected the node to fail");
}

describe("document-extractor: office documents and PDF", () => {
  it("DOCX: paragraphs and tables in order, tables as Markdown, merged cells repeated, empty tables and footnotes left out", async () => {
    expect(await extract(file("d", "notes.docx", ".docx"), { d: await sampleDocx() })).toBe(SAMPLE_DOCX_TEXT);
  });

  it("PDF: each page's text (unpdf), pages joined by a line break", async () => {
    expect(await extract(file("p", "invoice.pdf", ".pdf", "application/pdf"), { p: await samplePdf() })).toBe(SAMPLE_PDF_TEXT);
  }, 60_000);

  it("XLSX: one Markdown table per sheet, printed as pandas prints each column", async () => {
    expect(await extract(file("x", "book.xlsx", ".xlsx"), { x: sampleXlsx() })).toBe(SAMPLE_XLSX_TEXT);
  });

  it("a broken document fails with TextExtractionError naming the format", async () => {
    expect(await failure(file("d", "bad.docx", ".docx"), { d: "not a zip" })).toMatchObject({ errorType: "TextExtractionError", message: expect.stringMatching(/^Failed to extract text from DOCX: /) });
    expect(await failure(file("p", "bad.pdf", ".pdf"), { p: "%PDF-garbage" })).toMatchObject({ errorType: "TextExtractionError", message: expect.stringMatching(/^Failed to extract text from PDF: /) });
    expect(await failure(file("x", "bad.xlsx", ".xlsx"), { x: "nope" })).toMatchObject({ errorType: "TextExtractionError", message: expect.stringMatching(/^Failed to extract text from Excel file: /) });
  }, 60_000);

  it("mammoth's HTML: line breaks, lists, row spans and nested tables as python-docx reads them", () => {
    const html =
      "<p>a<br />b &amp; c</p><ul><li>x<ul><li>y</li></ul></li></ul>" +
      '<table><tr><td rowspan="2"><p>R</p></td><td><p>1</p></td></tr><tr><td><p>2</p><table><tr><td><p>inner</p></td></tr></table></td></tr></table>' +
      '<p>end<sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup></p><ol><li id="footnote-1"><p>note <a href="#footnote-ref-1">↑</a></p></li></ol>';
    expect(docxHtmlToText(html)).toBe("a\nb & c\nx\ny\n| R | 1 |\n| --- | --- |\n| R | 2 |\n\nend");
  });
});

describe("document-extractor: text formats", () => {
  it("plain text and code by extension: UTF-8, else Windows-1252; HTML is its source, as in Dify", async () => {
    expect(await extract(file("t", "a.txt", ".txt"), { t: "héllo\nworld" })).toBe("héllo\nworld");
    expect(await extract(file("t", "a.TXT", "TXT"), { t: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x80]) })).toBe("café€");
    expect(await extract(file("t", "p.md", ".md"), { t: "# Title" })).toBe("# Title");
    expect(await extract(file("t", "s.py", ".py"), { t: "print('x')" })).toBe("print('x')");
    expect(await extract(file("t", "p.html", ".html"), { t: "<p>Hi &amp; bye</p>" })).toBe("<p>Hi &amp; bye</p>");
  });

  it("JSON pretty-printed as json.dumps(indent=2, ensure_ascii=False): key order, ints and floats kept", async () => {
    const text = '{"b": [1, 2.0, {}], "a": "é", "big": 12345678901234567890, "n": null, "e": []}';
    expect(await extract(file("j", "d.json", ".json"), { j: text })).toBe('{\n  "b": [\n    1,\n    2.0,\n    {}\n  ],\n  "a": "é",\n  "big": 12345678901234567890,\n  "n": null,\n  "e": []\n}');
    expect(await failure(file("j", "d.json", ".json"), { j: "{nope" })).toMatchObject({ errorType: "TextExtractionError", message: expect.stringMatching(/^Failed to decode or parse JSON file: /) });
  });

  it("YAML re-dumped block style as PyYAML (YAML 1.1, sequences not indented, documents separated)", async () => {
    const text = "# comment\nname: demo\nflags: [yes, off]\nitems:\n  - a\n  - 'b c'\n---\nother: 1\n";
    expect(await extract(file("y", "c.yml", ".yml"), { y: text })).toBe("name: demo\nflags:\n- true\n- false\nitems:\n- a\n- b c\n---\nother: 1\n");
  });

  it("CSV as a Markdown table with Python's csv rules (quotes, embedded line breaks, blank lines)", async () => {
    const text = 'name,"note, with comma"\r\n"Ann","said ""hi""\nthen left"\n\nBo,x"y\n';
    expect(await extract(file("c", "t.csv", ".csv"), { c: text })).toBe('| name | note, with comma |\n| ---- | ---------------- |\n| Ann | said "hi" then left |\n|  |\n| Bo | x"y |\n');
    expect(readCsv('a,\n"q"x,"open')).toEqual([["a", ""], ["qx", "open"]]);
  });

  it("properties as key: value lines, comments kept", async () => {
    expect(await extract(file("p", "app.properties", ".properties"), { p: "# c\nhost = example.com\nport:80\nflag\n" })).toBe("# c\nhost: example.com\nport: 80\nflag: ");
  });

  it("without an extension the MIME type decides (WebVTT by MIME: speaker lines)", async () => {
    const vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>Hello\n\n00:01.000 --> 00:02.000\n<v Ann>again\n\n00:02.000 --> 00:03.000\n<v Bo>Hi Ann\n\n00:03.000 --> 00:04.000\nno voice";
    expect(await extract(file("v", "captions", "", "text/vtt"), { v: vtt })).toBe('Ann "Hello again"\nBo "Hi Ann"\n "no voice"');
    expect(await extract(file("j", "data", "", "application/json; charset=utf-8"), { j: "[1]" })).toBe("[\n  1\n]");
  });
});

describe("document-extractor: values and failures", () => {
  it("a list of files gives a list of texts; an empty or null value gives []", async () => {
    const files = [file("a", "a.txt", ".txt"), file("b", "b.csv", ".csv")];
    expect(await extract(files, { a: "first", b: "x,y\n1,2" })).toEqual(["first", "| x | y |\n| - | - |\n| 1 | 2 |\n"]);
    expect(await extract([], {})).toEqual([]);
    expect(await extract(null, {})).toEqual([]);
  });

  it("unsupported types fail clearly", async () => {
    expect(await failure(file("a", "a.xyz", ".xyz"))).toEqual({ message: "Unsupported Extension Type: .xyz", errorType: "UnsupportedFileTypeError" });
    expect(await failure(file("a", "a", "", "application/x-thing"))).toEqual({ message: "Unsupported MIME type: application/x-thing", errorType: "UnsupportedFileTypeError" });
    expect(await failure(file("a", "a", "", ""))).toEqual({ message: "Unable to determine file type: MIME type or file extension is missing", errorType: "UnsupportedFileTypeError" });
    expect(await failure(file("a", "deck.pptx", ".pptx"))).toEqual({ message: "Extracting text from PPTX files is not supported on this server", errorType: "UnsupportedFileTypeError" });
    expect(await failure(file("a", "old.xls", ".xls"))).toMatchObject({ message: "Extracting text from XLS (Excel 97-2003) files is not supported on this server" });
  });

  it("a missing variable, a value that is not a file, an unreadable file", async () => {
    const { services } = store({});
    await expect(runNode("document-extractor", { variable_selector: ["start", "nope"] }, { start: {} }, services)).rejects.toThrow("File variable not found for selector: ['start', 'nope']");
    expect(await failure("just text")).toEqual({ message: "Variable ['start', 'doc'] is not an ArrayFileSegment", errorType: "DocumentExtractorError" });
    expect(await failure(file("gone", "a.txt", ".txt"))).toEqual({ message: "Error downloading file: object not found", errorType: "FileDownloadError" });
    expect(await failure(file("r", "a.txt", ".txt", "text/plain", { transfer_method: "remote_url", remote_url: null, related_id: null }))).toMatchObject({ message: "Missing URL for remote file" });
  });

  it("in a graph: sys.files through the extractor to an End output", async () => {
    const { services } = store({ a: "alpha" });
    const run = await runGraph(
      {
        nodes: [
          { id: "start", data: { type: "start", variables: [] } },
          { id: "doc", data: { type: "document-extractor", variable_selector: ["sys", "files"] } },
          { id: "end", data: { type: "end", outputs: [{ variable: "texts", value_selector: ["doc", "text"] }] } },
        ],
        edges: [
          { source: "start", target: "doc" },
          { source: "doc", target: "end" },
        ],
      },
      { sys: { files: [file("a", "a.md", ".md")] }, services },
    );
    expect(run.outputs).toEqual({ texts: ["alpha"] });
  });

  it("check: a node without a file variable can never run", () => {
    expect(documentExtractorNode.check!({ variable_selector: ["start", "doc"] })).toBeNull();
    expect(documentExtractorNode.check!({})).toMatch(/not set/);
  });
});
