// The text-based extractors of Dify's document extractor: plain text (UTF-8, else Windows-1252, as
// Dify's charset detection among utf_8/latin_1/cp1252 ends up), JSON pretty-printed as json.dumps
// (indent 2, non-ASCII kept), YAML re-dumped block style as PyYAML's dump_all (sort_keys off),
// CSV as a Markdown table, Java properties as "key: value" lines, WebVTT as speaker lines.
import { parseAllDocuments, stringify } from "yaml";
import { dumpJson, parseJson } from "../http/json-body";
import { readCsv, rowsToMarkdown } from "./tables";

export class TextExtractionError extends Error {}

const why = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function decodePlainText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

export function jsonText(bytes: Uint8Array): string {
  try {
    return dumpJson(parseJson(decodePlainText(bytes)), { indent: 2, allowNan: true });
  } catch (err) {
    throw new TextExtractionError(`Failed to decode or parse JSON file: ${why(err)}`);
  }
}

export function yamlText(bytes: Uint8Array): string {
  // YAML 1.1, as PyYAML's safe_load reads it (yes/no are booleans).
  const docs = parseAllDocuments(decodePlainText(bytes), { version: "1.1" });
  const list = Array.isArray(docs) ? docs : [];
  const failed = list.find((d) => d.errors.length > 0);
  if (failed) throw new TextExtractionError(`Failed to decode or parse YAML file: ${failed.errors[0].message}`);
  return list
    .map((doc) => stringify(doc.toJS(), { version: "1.1", indentSeq: false, singleQuote: true, lineWidth: 80 }))
    .join("---\n");
}

export function csvText(bytes: Uint8Array): string {
  try {
    return rowsToMarkdown(readCsv(decodePlainText(bytes)));
  } catch (err) {
    throw new TextExtractionError(`Failed to extract text from CSV: ${why(err)}`);
  }
}

/** Python's str.splitlines(). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function propertiesText(bytes: Uint8Array): string {
  return splitLines(decodePlainText(bytes))
    .map((line) => {
      const t = line.trim();
      if (!t || t.startsWith("#") || t.startsWith("!")) return t;
      const at = t.includes("=") ? t.indexOf("=") : t.indexOf(":");
      return at < 0 ? `${t}: ` : `${t.slice(0, at).trim()}: ${t.slice(at + 1).trim()}`;
    })
    .join("\n");
}

/**
 * WebVTT captions as `Speaker "text"` lines, consecutive captions of one speaker merged. Dify's
 * merge repeats the first caption for every caption without a voice (a bug); here those captions
 * are kept as they are, each on its own line with an empty speaker.
 */
export function vttText(bytes: Uint8Array): string {
  const blocks = decodePlainText(bytes).replace(/^\ufeff/, "").replace(/\r\n?/g, "\n").split(/\n{2,}/);
  const captions: { voice: string | null; text: string }[] = [];
  for (const block of blocks) {
    const lines = block.split("\n");
    const timing = lines.findIndex((l) => l.includes("-->"));
    if (timing < 0) continue;
    const raw = lines.slice(timing + 1).join("\n");
    const voice = /<v(?:\.[^\s>]*)?\s+([^>]+)>/.exec(raw)?.[1].trim() ?? null;
    captions.push({ voice, text: raw.replace(/<[^>]*>/g, "") });
  }
  const merged: { voice: string | null; text: string }[] = [];
  for (const caption of captions) {
    const last = merged[merged.length - 1];
    if (last && caption.voice !== null && last.voice === caption.voice) last.text += ` ${caption.text}`;
    else merged.push({ ...caption });
  }
  return merged.map((c) => `${c.voice ?? ""} "${c.text}"`).join("\n");
}
