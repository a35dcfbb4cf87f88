// A ToolContext for tool tests: the real SSRF guard (over whatever fetch the test stubs), files kept
// in memory, and the env of the test isolate.
import { env } from "cloudflare:workers";
import type { SsrfPolicy } from "../../src/lib/ssrf";
import type { ResolvedProvider } from "../../src/llm/registry";
import type { ToolContext } from "../../src/tools/types";
import { guardedFetch } from "../../src/workflow/run-services";
import type { FileValue } from "../../src/workflow/segments";

export const testPolicy = (allowedHosts: string[] = []): SsrfPolicy => ({ allowedHosts: new Set(allowedHosts), resolve: null, timeoutMs: 5000, maxRedirects: 3 });

export interface TestContext extends ToolContext {
  saved: { name: string; mimeType: string; bytes: Uint8Array }[];
}

export function toolContext(options: { policy?: SsrfPolicy; signal?: AbortSignal; provider?: ResolvedProvider | null; files?: Map<string, Uint8Array> } = {}): TestContext {
  const saved: TestContext["saved"] = [];
  const policy = options.policy ?? testPolicy();
  return {
    env: env as unknown as ToolContext["env"],
    signal: options.signal ?? new AbortController().signal,
    fetch: (url, init) => guardedFetch(url, init, policy),
    async readFile(file: FileValue) {
      const bytes = options.files?.get(file.related_id ?? "");
      if (!bytes) throw new Error(`no file ${file.filename}`);
      return bytes;
    },
    async saveFile(bytes, name, mimeType) {
      saved.push({ name, mimeType, bytes });
      const extension = name.includes(".") ? `.${name.split(".").pop()}` : "";
      return {
        dify_model_identity: "__dify__file__",
        id: null,
        tenant_id: "tenant-1",
        type: mimeType.split("/")[0] === "image" ? "image" : mimeType.startsWith("audio/") ? "audio" : "document",
        transfer_method: "tool_file",
        remote_url: null,
        related_id: `file-${saved.length}`,
        filename: name,
        extension,
        mime_type: mimeType,
        size: bytes.length,
        url: `https://files.test/${saved.length}`,
      };
    },
    provider: options.provider ?? null,
    tenantId: "tenant-1",
    userId: "session-1",
    saved,
  };
}
