// Dify's `webscraper` provider: one tool that reads a web page through the SSRF guard
// (context.fetch checks every hop before anything is sent) and returns its readable text in Dify's
// template ("TITLE: …\nAUTHOR: …\nTEXT:\n\n…"). Dify's texts for a missing url, a status other than
// 200 and an unsupported content type are kept. Beyond Dify: at most `maxBytes` of the page are read
// (the rest is never pulled) and the whole fetch has `timeoutMs`; Dify allows 300 s and any size.
import { complete } from "../../llm/types";
import type { Tool, ToolContext } from "../types";
import { ToolError } from "../types";
import { builtinTool, param, text } from "./define";
import { readablePage } from "./readable";

/** The defaults of WEBSCRAPER_MAX_BYTES and WEBSCRAPER_TIMEOUT (config.ts). */
export const WEBSCRAPER_MAX_BYTES = 2 * 1024 * 1024;
export const WEBSCRAPER_TIMEOUT_MS = 30_000;

// Dify's get_url user agent when none is configured; the tool's form default is a Chrome/100 one.
const FALLBACK_USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36";
const DEFAULT_USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/100.0.1000.0 Safari/537.36";
const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);
// Dify reads these as documents (its ExtractProcessor); here as text. PDF pages are not read.
const TEXT_TYPES = new Set(["text/plain", "application/json", "text/markdown"]);

// Pages longer than this are summarised piece by piece when generate_summary is on (Dify: longer
// than 60 % of the model's context); shorter ones are returned whole, as Dify does.
const SUMMARY_MIN_CHARS = 16_000;
const SUMMARY_PIECE_CHARS = 8_000;
const SUMMARY_PROMPT =
  "You summarise part of a web page. Restate its main points in your own words, keeping the meaning and every key fact. The text may be cut off at either end.";

export interface WebscraperLimits {
  maxBytes: number;
  timeoutMs: number;
}

class TimedOut extends Error {}

/** Reads at most `maxBytes` of `body`, then stops pulling; `signal` ends the read. */
async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new DOMException("aborted", "AbortError"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength >= room) {
        chunks.push(value.subarray(0, room));
        size += room;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The charset of Content-Type, else of a <meta> in the first 2 KiB, else UTF-8. */
function decode(bytes: Uint8Array, contentType: string): string {
  let charset = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
  if (!charset) {
    const head = new TextDecoder("latin1").decode(bytes.subarray(0, 2048));
    charset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  }
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

async function summarise(content: string, llm: NonNullable<ToolContext["llm"]>, signal: AbortSignal): Promise<string> {
  if (content.length <= SUMMARY_MIN_CHARS) return content;
  const pieces: string[] = [];
  for (const line of content.split("\n")) {
    for (let rest = line; rest; rest = rest.slice(SUMMARY_PIECE_CHARS)) {
      const part = rest.slice(0, SUMMARY_PIECE_CHARS);
      if (pieces.length && pieces[pieces.length - 1].length + part.length < SUMMARY_PIECE_CHARS) pieces[pieces.length - 1] += `\n${part}`;
      else pieces.push(part);
    }
  }
  const summaries: string[] = [];
  for (const piece of pieces) {
    const { text: summary } = await complete(llm.provider, {
      model: llm.model,
      params: {},
      signal,
      messages: [
        { role: "system", content: SUMMARY_PROMPT },
        { role: "user", content: piece },
      ],
    });
    summaries.push(summary);
  }
  return summaries.join("\n");
}

async function scrape(url: string, userAgent: string, context: ToolContext, limits: WebscraperLimits, signal: AbortSignal): Promise<string> {
  const response = await context.fetch(url, {
    method: "GET",
    headers: { "User-Agent": userAgent, Accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8" },
    signal,
  });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    return `URL returned status code ${response.status}.`;
  }
  const contentType = response.headers.get("Content-Type") ?? "";
  const mainType = contentType.split(";")[0].trim().toLowerCase();
  if (!HTML_TYPES.has(mainType) && !TEXT_TYPES.has(mainType)) {
    await response.body?.cancel().catch(() => {});
    return `Unsupported content-type [${mainType || "None"}] of URL.`;
  }
  const bytes = response.body ? await readLimited(response.body, limits.maxBytes, signal) : new Uint8Array();
  const content = decode(bytes, contentType);
  if (TEXT_TYPES.has(mainType)) return content;
  const page = await readablePage(content);
  if (!page.text) return "";
  return `\nTITLE: ${page.title}\nAUTHOR: ${page.author}\nTEXT:\n\n${page.text}\n`;
}

export function webscraperTools(limits: WebscraperLimits = { maxBytes: WEBSCRAPER_MAX_BYTES, timeoutMs: WEBSCRAPER_TIMEOUT_MS }): Tool[] {
  const webscraper = builtinTool(
    "webscraper",
    {
      name: "webscraper",
      label: "Web Scraper",
      description: "A tool for scraping webpages. Input should be a URL.",
      parameters: [
        param("url", "string", { required: true, label: "URL", description: "url for scraping" }),
        param("user_agent", "string", { form: "form", label: "User Agent", description: "used for identifying the browser.", default: DEFAULT_USER_AGENT }),
        param("generate_summary", "boolean", {
          form: "form",
          label: "Whether to generate summary",
          description: "If true, the crawler will only return the page summary content.",
          options: ["true", "false"],
          default: "false",
        }),
      ],
    },
    async (args, context) => {
      const url = typeof args.url === "string" ? args.url.trim() : "";
      if (!url) return text("Please input url");
      const userAgent = typeof args.user_agent === "string" && args.user_agent ? args.user_agent : FALLBACK_USER_AGENT;
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(new TimedOut()), limits.timeoutMs);
      const signal = AbortSignal.any([context.signal, timer.signal]);
      try {
        const content = await scrape(url, userAgent, context, limits, signal);
        return text(args.generate_summary === true && context.llm ? await summarise(content, context.llm, signal) : content);
      } catch (err) {
        if (context.signal.aborted) throw context.signal.reason ?? err;
        if (timer.signal.aborted) throw new ToolError(`The page did not load within ${limits.timeoutMs / 1000} s.`);
        throw new ToolError(err instanceof Error ? err.message : String(err));
      } finally {
        clearTimeout(timeout);
      }
    },
  );
  return [webscraper];
}
