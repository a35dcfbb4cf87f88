// Which extractor reads a file (Dify's document extractor registry): the file's extension decides,
// else its MIME type; neither → "Unable to determine file type". The heavy libraries (PDF, DOCX,
// XLSX) are loaded with import() only when such a file is read, so no other path pays for them.
// HTML is plain text, as in Dify (its source, not rendered text). Formats Dify hands to the
// Unstructured service or to libraries with no Worker build (doc, ppt, pptx, epub, eml, msg, xls)
// fail with a clear error.
import { decodePlainText, csvText, jsonText, propertiesText, TextExtractionError, vttText, yamlText } from "./text";

export class UnsupportedFileTypeError extends Error {}
export { TextExtractionError };

type Extractor = { name: string; unsupported?: true; run: (bytes: Uint8Array) => string | Promise<string> };

const lazy = (name: string, load: () => Promise<(bytes: Uint8Array) => Promise<string>>): Extractor => ({
  name,
  run: async (bytes) => {
    try {
      return await (await load())(bytes);
    } catch (err) {
      throw new TextExtractionError(`Failed to extract text from ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  },
});

const unsupported = (label: string): Extractor => ({ name: label, unsupported: true, run: () => "" });

const PLAIN: Extractor = { name: "plain text", run: decodePlainText };
const JSON_: Extractor = { name: "JSON", run: jsonText };
const YAML: Extractor = { name: "YAML", run: yamlText };
const CSV: Extractor = { name: "CSV", run: csvText };
const PROPERTIES: Extractor = { name: "properties", run: propertiesText };
const VTT: Extractor = { name: "VTT", run: vttText };
const PDF = lazy("PDF", async () => (await import("./pdf")).pdfText);
const DOCX = lazy("DOCX", async () => (await import("./docx")).docxText);
const EXCEL = lazy("Excel file", async () => (await import("./xlsx")).xlsxText);

const PLAIN_EXTENSIONS =
  ".txt .markdown .md .mdx .html .htm .xml .c .h .cpp .hpp .cc .cxx .c++ .py .js .ts .jsx .tsx .java .php .rb .go .rs .swift .kt .scala .sh .bash .bat .ps1 .sql .r .m .pl .lua .vim .asm .s .css .scss .less .sass .ini .cfg .conf .toml .env .log .vtt";

const BY_EXTENSION = new Map<string, Extractor>([
  ...PLAIN_EXTENSIONS.split(" ").map((e) => [e, PLAIN] as const),
  [".json", JSON_],
  [".yaml", YAML],
  [".yml", YAML],
  [".pdf", PDF],
  [".docx", DOCX],
  [".csv", CSV],
  [".xlsx", EXCEL],
  [".properties", PROPERTIES],
  [".doc", unsupported("DOC (Word 97-2003)")],
  [".xls", unsupported("XLS (Excel 97-2003)")],
  [".ppt", unsupported("PPT")],
  [".pptx", unsupported("PPTX")],
  [".epub", unsupported("EPUB")],
  [".eml", unsupported("EML")],
  [".msg", unsupported("MSG")],
]);

const BY_MIME = new Map<string, Extractor>([
  ...["text/plain", "text/html", "text/htm", "text/markdown", "text/xml"].map((m) => [m, PLAIN] as const),
  ["application/json", JSON_],
  ["application/x-yaml", YAML],
  ["text/yaml", YAML],
  ["application/pdf", PDF],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX],
  ["text/csv", CSV],
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", EXCEL],
  ["text/vtt", VTT],
  ["text/properties", PROPERTIES],
  ["application/msword", unsupported("DOC (Word 97-2003)")],
  ["application/vnd.ms-excel", unsupported("XLS (Excel 97-2003)")],
  ["application/vnd.ms-powerpoint", unsupported("PPT")],
  ["application/vnd.openxmlformats-officedocument.presentationml.presentation", unsupported("PPTX")],
  ["application/epub+zip", unsupported("EPUB")],
  ["message/rfc822", unsupported("EML")],
  ["application/vnd.ms-outlook", unsupported("MSG")],
]);

/** The extractor for a file, by extension (".pdf", "pdf" or ".PDF") first, then MIME type. */
export function extractorFor(extension: string, mimeType: string): Extractor {
  const found = lookup(extension, mimeType);
  if (found.unsupported) throw new UnsupportedFileTypeError(`Extracting text from ${found.name} files is not supported on this server`);
  return found;
}

function lookup(extension: string, mimeType: string): Extractor {
  const ext = extension.trim().toLowerCase();
  if (ext) {
    const key = ext.startsWith(".") ? ext : `.${ext}`;
    const found = BY_EXTENSION.get(key);
    if (!found) throw new UnsupportedFileTypeError(`Unsupported Extension Type: ${key}`);
    return found;
  }
  const mime = mimeType.split(";")[0].trim().toLowerCase();
  if (mime) {
    const found = BY_MIME.get(mime);
    if (!found) throw new UnsupportedFileTypeError(`Unsupported MIME type: ${mime}`);
    return found;
  }
  throw new UnsupportedFileTypeError("Unable to determine file type: MIME type or file extension is missing");
}
