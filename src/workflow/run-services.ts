// The NodeServices of one run, built inside the TaskRunner from its bindings (so a run resumed after an
// eviction or a pause has them again): providers resolved from D1 with the key decrypted here, the
// conversation's memory, the one SSRF guard for every user-directed fetch, files read from R2 or
// through the guard, and files saved as the end user's uploads with signed URLs.
import { desc, eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { messages, uploadFiles } from "../db/schema";
import type { Env } from "../env";
import { type FileSigner, signedFileUrl } from "../lib/file-signing";
import { extensionOf, fileTypeOf } from "../lib/file-types";
import { nowSeconds, uuid } from "../lib/ids";
import { putStream } from "../lib/r2-stream";
import { checkRemoteUrl, type SsrfPolicy } from "../lib/ssrf";
import { dohResolver } from "../lib/dns";
import { createProvider } from "../llm/factory";
import { threadOf } from "../llm/history";
import { providerByName, providerKey } from "../llm/registry";
import type { AiBinding } from "../llm/workers-ai";
import { ProviderNotInitialize } from "../lib/errors";
import { resolveTool } from "../tools/registry";
import type { FileValue } from "./segments";
import { NodeError, type NodeServices, type WorkflowSettings } from "./types";

export interface RunIdentity {
  runId: string;
  appId: string;
  tenantId: string;
  endUserId: string;
  /** The end user's session id (sys.user_id). */
  userId: string;
  conversationId: string | null;
  /** The chatflow message this run answers, and its parent (memory is the thread before it). */
  messageId: string | null;
  parentMessageId: string | null;
}

export interface RunServiceConfig {
  settings: WorkflowSettings;
  secretKey: string;
  defaultModelProvider: string;
  cacheTtlSeconds: number;
  idleTimeoutMs: number;
  echoDelayMs: number;
  signer: FileSigner;
  ssrf: { allowedHosts: string[]; dnsResolver: string | null; timeoutSeconds: number; maxRedirects: number };
  webBaseUrl: string;
  /** The run's outbox and the project's mailer (from the TaskRunner). */
  write: NodeServices["write"];
  mail: NodeServices["mail"];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** fetch() through the guard: each hop checked before it is requested, redirects followed by hand. */
export async function guardedFetch(rawUrl: string, init: RequestInit, policy: SsrfPolicy): Promise<Response> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new NodeError(`Invalid URL: ${rawUrl}`, "InvalidURLError");
  }
  let request = { ...init, redirect: "manual" as const };
  for (let redirects = 0; ; redirects++) {
    await checkRemoteUrl(url, policy, init.signal ?? undefined);
    const response = await fetch(url.href, request);
    const location = response.headers.get("Location");
    if (!REDIRECTS.has(response.status) || !location) return response;
    await response.body?.cancel().catch(() => {});
    if (redirects >= policy.maxRedirects) throw new NodeError(`Too many redirects (more than ${policy.maxRedirects})`, "TooManyRedirectsError");
    const next = new URL(location, url);
    // Credentials never follow a redirect to another origin.
    if (next.origin !== url.origin && request.headers) {
      const headers = new Headers(request.headers);
      headers.delete("Authorization");
      headers.delete("Cookie");
      request = { ...request, headers };
    }
    url = next;
    // 303, and 301/302 after a POST, continue as GET without a body (as browsers and httpx do).
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && request.method && request.method.toUpperCase() !== "GET" && request.method.toUpperCase() !== "HEAD")) {
      request = { ...request, method: "GET", body: undefined };
    }
  }
}

export function runServices(env: Env, identity: RunIdentity, config: RunServiceConfig): NodeServices {
  const db = getDb(env.DB);
  const policy: SsrfPolicy = {
    allowedHosts: new Set(config.ssrf.allowedHosts),
    resolve: config.ssrf.dnsResolver ? dohResolver(config.ssrf.dnsResolver) : null,
    timeoutMs: config.ssrf.timeoutSeconds * 1000,
    maxRedirects: config.ssrf.maxRedirects,
  };
  return {
    env,
    settings: config.settings,
    appId: identity.appId,
    tenantId: identity.tenantId,
    userId: identity.userId,
    endUserId: identity.endUserId,
    conversationId: identity.conversationId,
    runId: identity.runId,
    webBaseUrl: config.webBaseUrl,
    write: config.write,
    mail: config.mail,
    async provider(difyProvider) {
      for (const name of [providerKey(difyProvider), providerKey(config.defaultModelProvider)]) {
        const resolved = await providerByName(db, config.secretKey, name, config.cacheTtlSeconds);
        if (!resolved) continue;
        const llm = createProvider(resolved, { ai: env.AI as unknown as AiBinding | undefined, idleTimeoutMs: config.idleTimeoutMs, echoDelayMs: config.echoDelayMs });
        return { resolved, llm };
      }
      throw new ProviderNotInitialize(`Model provider "${providerKey(difyProvider)}" is not configured and DEFAULT_MODEL_PROVIDER "${config.defaultModelProvider}" is not registered.`);
    },
    async history(maxMessages) {
      if (!identity.conversationId || !identity.parentMessageId) return [];
      const rows = await db
        .select({ id: messages.id, parentMessageId: messages.parentMessageId, query: messages.query, answer: messages.answer })
        .from(messages)
        .where(eq(messages.conversationId, identity.conversationId))
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(Math.max(1, Math.min(maxMessages, 500)) + 1)
        .all();
      return threadOf(rows.filter((row) => row.id !== identity.messageId), identity.parentMessageId)
        .reverse()
        .map((row) => ({ query: row.query, answer: row.answer }));
    },
    fetch: (url, init) => guardedFetch(url, init, policy),
    // MCP servers are listed through the same guard; settings.tools is absent in specs saved before it existed.
    tool: (ref, signal) => resolveTool(db, config.secretKey, ref, { fetch: (url, init) => guardedFetch(url, init, policy), signal, settings: config.settings.tools }),
    async readFile(file: FileValue) {
      if (file.related_id) {
        const row = await db.select().from(uploadFiles).where(eq(uploadFiles.id, file.related_id)).get();
        if (row && row.tenantId === identity.tenantId) {
          const object = await env.FILES.get(row.key);
          if (object) return new Uint8Array(await object.arrayBuffer());
        }
      }
      const remote = file.remote_url ?? (file.transfer_method === "remote_url" ? file.url : null);
      if (remote) {
        const res = await guardedFetch(remote, { method: "GET" }, policy);
        if (!res.ok) throw new NodeError(`Failed to read file ${file.filename}: HTTP ${res.status}`, "FileDownloadError");
        return new Uint8Array(await res.arrayBuffer());
      }
      throw new NodeError(`File ${file.filename} not found`, "FileNotFoundError");
    },
    async saveFile(bytes, name, mimeType) {
      const id = uuid();
      const extension = extensionOf(name);
      const key = `tools/${identity.tenantId}/${id}${extension ? `.${extension}` : ""}`;
      const stored = await putStream(env.FILES, key, new Blob([bytes]).stream(), { maxBytes: Math.max(bytes.length, 1), contentType: mimeType });
      await db.insert(uploadFiles).values({
        id,
        tenantId: identity.tenantId,
        storageType: "r2",
        key,
        name,
        size: stored.size,
        extension,
        mimeType,
        createdByRole: "end_user",
        createdBy: identity.endUserId,
        createdAt: nowSeconds(),
        used: true,
        usedBy: identity.endUserId,
        usedAt: nowSeconds(),
        hash: stored.sha256,
        sourceUrl: "",
      });
      return {
        dify_model_identity: "__dify__file__",
        id: null,
        tenant_id: identity.tenantId,
        type: fileTypeOf(extension, mimeType),
        transfer_method: "tool_file",
        remote_url: null,
        related_id: id,
        filename: name,
        extension: extension ? `.${extension}` : "",
        mime_type: mimeType,
        size: stored.size,
        url: await signedFileUrl(config.signer, id),
      };
    },
  };
}
