// The one way this server fetches a URL a user gave it (remote files, file inputs). Only http and
// https; no address that is loopback, private, link-local, carrier-grade NAT, multicast, reserved,
// unspecified or a cloud metadata endpoint, in any spelling (the URL parser canonicalises IPv4
// forms; ip-ranges.ts judges the result and IPv6 embeddings); names are refused by suffix and then
// resolved and every address checked. Redirects are followed by hand, each hop checked again.
// SSRF_ALLOWED_HOSTS lets named host:port pairs through. Limits: Workers cannot pin the address
// fetch() connects to, so a name that re-resolves differently between check and connect (DNS
// rebinding) is not caught here; on Cloudflare's network private addresses are unreachable anyway.
import type { Config } from "../config";
import { InvalidParam, RemoteFileUploadError, RemoteFileUrlBlocked } from "./errors";
import { dohResolver, type Resolver } from "./dns";
import { forbiddenAddressReason, parseIp } from "./ip-ranges";

export interface SsrfPolicy {
  /** "host:port", lower-case; these skip every address check. */
  allowedHosts: ReadonlySet<string>;
  /** null: names are judged by suffix only. */
  resolve: Resolver | null;
  timeoutMs: number;
  maxRedirects: number;
}

export interface RemoteResponse {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  headers: Headers;
  /** Errors with remote_file_upload_error when the host stalls longer than the timeout. */
  body: ReadableStream<Uint8Array> | null;
}

const BLOCKED_NAMES = new Set(["localhost", "metadata", "metadata.goog", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"]);
const BLOCKED_SUFFIXES = [".localhost", ".local", ".localdomain", ".internal", ".home.arpa"];
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function ssrfPolicy(config: Config): SsrfPolicy {
  return {
    allowedHosts: new Set(config.ssrfAllowedHosts),
    resolve: config.ssrfDnsResolver ? dohResolver(config.ssrfDnsResolver) : null,
    timeoutMs: config.remoteFileTimeout * 1000,
    maxRedirects: config.remoteFileMaxRedirects,
  };
}

const blocked = (why: string) => new RemoteFileUrlBlocked(`The remote file URL is not allowed: ${why}.`);
export const unreachable = (url: string, why: string) => new RemoteFileUploadError(`Failed to fetch file from ${url}: ${why}`);

/** Throws remote_file_url_blocked unless `url` may be fetched. */
export async function checkRemoteUrl(url: URL, policy: SsrfPolicy, signal?: AbortSignal): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw blocked("only http and https URLs can be fetched");
  if (url.username || url.password) throw blocked("URLs with credentials are not fetched");
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  if (policy.allowedHosts.has(`${host}:${port}`)) return;
  const literal = parseIp(host);
  if (literal) {
    const reason = forbiddenAddressReason(literal);
    if (reason) throw blocked(`${host} is ${reason}`);
    return;
  }
  if (!host.includes(".") || BLOCKED_NAMES.has(host) || BLOCKED_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    throw blocked(`${host} is an internal host name`);
  }
  if (!policy.resolve) return;
  let addresses: string[];
  try {
    addresses = await policy.resolve(host, signal);
  } catch {
    throw unreachable(url.href, "the host name could not be resolved");
  }
  if (addresses.length === 0) throw unreachable(url.href, "the host name does not exist");
  for (const address of addresses) {
    const ip = parseIp(address);
    const reason = ip ? forbiddenAddressReason(ip) : "not an IP address";
    if (reason) throw blocked(`${host} resolves to ${reason}`);
  }
}

/** A body stream that fails if the host sends nothing for `timeoutMs`. */
function idleTimeout(body: ReadableStream<Uint8Array>, timeoutMs: number, controller: AbortController, url: string): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(out) {
        let timer: ReturnType<typeof setTimeout> | null = null;
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(unreachable(url, `no data for ${timeoutMs / 1000} s`)), timeoutMs);
        });
        try {
          const { done, value } = await Promise.race([reader.read(), stalled]);
          if (done) out.close();
          else out.enqueue(value);
        } catch (err) {
          controller.abort();
          reader.cancel().catch(() => {});
          throw err instanceof RemoteFileUploadError ? err : unreachable(url, "the connection was lost");
        } finally {
          if (timer !== null) clearTimeout(timer);
        }
      },
      cancel(reason) {
        controller.abort();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Fetches a user-supplied URL through the guard: every hop is checked before it is requested,
 * at most `maxRedirects` redirects, `timeoutMs` for each hop's headers and between body chunks.
 * Non-2xx answers are returned as they are; their bodies are never put into error messages.
 */
export async function fetchRemote(rawUrl: string, policy: SsrfPolicy, method: "GET" | "HEAD" = "GET"): Promise<RemoteResponse> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new InvalidParam("Invalid file url");
  }
  const controller = new AbortController();
  for (let redirects = 0; ; redirects++) {
    const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
    let response: Response;
    try {
      await checkRemoteUrl(url, policy, controller.signal);
      response = await fetch(url.href, { method, redirect: "manual", signal: controller.signal, headers: { Accept: "*/*" } });
    } catch (err) {
      if (err instanceof RemoteFileUrlBlocked || err instanceof RemoteFileUploadError) throw err;
      throw unreachable(rawUrl, controller.signal.aborted ? `no answer within ${policy.timeoutMs / 1000} s` : "the host could not be reached");
    } finally {
      clearTimeout(timer);
    }
    const location = response.headers.get("Location");
    if (REDIRECTS.has(response.status) && location) {
      response.body?.cancel().catch(() => {});
      if (redirects >= policy.maxRedirects) throw unreachable(rawUrl, `more than ${policy.maxRedirects} redirects`);
      try {
        url = new URL(location, url);
      } catch {
        throw unreachable(rawUrl, "the host redirected to an invalid URL");
      }
      continue;
    }
    return {
      url: url.href,
      status: response.status,
      headers: response.headers,
      body: response.body ? idleTimeout(response.body, policy.timeoutMs, controller, rawUrl) : null,
    };
  }
}
