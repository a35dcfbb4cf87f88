// An MCP tools/call result as a ToolResult, the way Dify's MCPTool reads one: text content that is a
// JSON object (or a list of objects) becomes JSON, other text stays text; images, audio and blob
// resources become files (saved with context.saveFile); text resources are text; structuredContent
// of a tool with an outputSchema becomes its variables. Texts are concatenated as Dify's tool node
// and agent do. Resource links, which Dify drops, are kept as "name: uri" text.
import { base64ToBytes } from "../../lib/crypto";
import { isObject } from "../../lib/json";
import type { FileValue, Json } from "../../workflow/segments";
import { pyStr } from "../../llm/template";
import { type ToolContext, ToolError, type ToolResult } from "../types";
import type { McpCallResult } from "./client";

const EXTENSIONS: Record<string, string> = {
  "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "image/svg+xml": "svg",
  "audio/mpeg": "mp3", "audio/wav": "wav", "audio/x-wav": "wav", "audio/ogg": "ogg", "application/pdf": "pdf",
  "application/json": "json", "text/plain": "txt", "text/csv": "csv", "text/html": "html",
};

function fileName(mimeType: string, uri?: string): string {
  const last = uri ? decodeURIComponent(uri.split(/[?#]/)[0].split("/").filter(Boolean).at(-1) ?? "") : "";
  if (/^[^\\/:*?"<>|]{1,200}\.[A-Za-z0-9]{1,10}$/.test(last)) return last;
  return `${crypto.randomUUID()}.${EXTENSIONS[mimeType] ?? "bin"}`;
}

function decodeBase64(data: unknown): Uint8Array {
  if (typeof data !== "string") throw new ToolError("Failed to invoke tool: the server sent binary content without data");
  try {
    return base64ToBytes(data);
  } catch {
    throw new ToolError("Failed to invoke tool: the server sent invalid base64 data");
  }
}

/** Dify's _process_text_content: JSON objects (and lists of them) become JSON messages. */
function readText(text: string, out: ToolResult): void {
  const trimmed = text.trim();
  if (trimmed && "{[".includes(trimmed[0]) && "}]".includes(trimmed.at(-1)!)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (isObject(parsed)) {
      out.json.push(parsed);
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.every(isObject)) out.json.push(...(parsed as Json[]));
      else out.text += pyStr(parsed);
      return;
    }
  }
  out.text += text;
}

export async function toToolResult(result: McpCallResult, context: ToolContext, hasOutputSchema: boolean): Promise<ToolResult> {
  if (result.isError) {
    const message = result.content
      .map((item) => (isObject(item) && item.type === "text" && typeof item.text === "string" ? item.text : ""))
      .filter(Boolean)
      .join("\n");
    throw new ToolError(message || "The MCP tool reported an error.");
  }
  const out: ToolResult = { text: "", json: [], files: [] };
  const save = async (data: unknown, mimeType: string, uri?: string): Promise<FileValue> =>
    context.saveFile(decodeBase64(data), fileName(mimeType, uri), mimeType);
  for (const item of result.content) {
    if (!isObject(item)) continue;
    switch (item.type) {
      case "text":
        if (typeof item.text === "string") readText(item.text, out);
        break;
      case "image":
      case "audio": {
        const mimeType = typeof item.mimeType === "string" ? item.mimeType : item.type === "image" ? "image/png" : "audio/mpeg";
        out.files.push(await save(item.data, mimeType));
        break;
      }
      case "resource": {
        const resource = isObject(item.resource) ? item.resource : {};
        const uri = typeof resource.uri === "string" ? resource.uri : undefined;
        if (typeof resource.text === "string") out.text += resource.text;
        else if (typeof resource.blob === "string") {
          out.files.push(await save(resource.blob, typeof resource.mimeType === "string" ? resource.mimeType : "application/octet-stream", uri));
        } else throw new ToolError("Failed to invoke tool: Unsupported embedded resource type");
        break;
      }
      case "resource_link":
        if (typeof item.uri === "string") out.text += `${typeof item.name === "string" ? item.name : "resource"}: ${item.uri}`;
        break;
      default:
        break;
    }
  }
  if (hasOutputSchema && isObject(result.structuredContent)) out.variables = result.structuredContent;
  return out;
}
