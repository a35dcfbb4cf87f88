// document-extractor (spec §3.18): the text of a file, or of each file of an array[file], read
// through services.readFile (uploads from R2, remote files through the SSRF guard). Output `text`:
// a string for one file, an array of strings for a list; an empty value gives an empty list, as in
// Dify. Which formats are read, and how, is documents/extract.ts.
import { pyStr } from "../../llm/template";
import { extractorFor, TextExtractionError, UnsupportedFileTypeError } from "../documents/extract";
import { type FileValue, isFile, isEmptyValue } from "../segments";
import { NodeError, type NodeDefinition, type NodeServices } from "../types";
import { asSelector } from "../variable-pool";

const failed = (err: unknown, file: FileValue): NodeError => {
  if (err instanceof NodeError) return err;
  if (err instanceof UnsupportedFileTypeError) return new NodeError(err.message, "UnsupportedFileTypeError");
  if (err instanceof TextExtractionError) return new NodeError(err.message, "TextExtractionError");
  return new NodeError(`Failed to extract text from ${file.filename}: ${err instanceof Error ? err.message : String(err)}`, "TextExtractionError");
};

async function textOf(file: FileValue, services: NodeServices): Promise<string> {
  // The format is known before anything is read: an unsupported file is not downloaded (Dify reads it first).
  let extractor: ReturnType<typeof extractorFor>;
  try {
    extractor = extractorFor(file.extension ?? "", file.mime_type ?? "");
  } catch (err) {
    throw failed(err, file);
  }
  if (file.transfer_method === "remote_url" && !file.remote_url) throw new NodeError("Missing URL for remote file", "FileDownloadError");
  let bytes: Uint8Array;
  try {
    bytes = await services.readFile(file);
  } catch (err) {
    throw new NodeError(`Error downloading file: ${err instanceof Error ? err.message : String(err)}`, "FileDownloadError");
  }
  try {
    return await extractor.run(bytes);
  } catch (err) {
    throw failed(err, file);
  }
}

export const documentExtractorNode: NodeDefinition = {
  type: "document-extractor",
  check: (data) => (asSelector(data.variable_selector) ? null : "the file variable is not set"),
  async run({ node, pool, services }) {
    const selector = asSelector(node.data.variable_selector) ?? [];
    const lookup = pool.get(selector);
    if (!lookup.found) throw new NodeError(`File variable not found for selector: ${pyStr(selector)}`, "DocumentExtractorError");
    const value = lookup.value;
    const isList = Array.isArray(value);
    if (!isEmptyValue(value) && !isFile(value) && !(isList && value.every((v) => isFile(v) || isEmptyValue(v)))) {
      throw new NodeError(`Variable ${pyStr(selector)} is not an ArrayFileSegment`, "DocumentExtractorError");
    }
    const files = (isList ? value : [value]).filter(isFile);
    const inputs = { variable_selector: selector };
    const processData = { documents: files };
    if (files.length === 0) return { outputs: { text: [] }, inputs, processData };
    if (!isList) return { outputs: { text: await textOf(files[0], services) }, inputs, processData };
    const texts: string[] = [];
    for (const file of files) texts.push(await textOf(file, services));
    return { outputs: { text: texts }, inputs, processData };
  },
};
