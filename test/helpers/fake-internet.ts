// The world outside the Worker, faked in-process: the worker runs in this isolate, so stubbing
// globalThis.fetch catches every outbound call it makes. Hosts answer through handlers keyed by
// "host:port"; the DNS-over-HTTPS resolver (the production default) answers from a table in the
// JSON protocol it really speaks. Anything else fails like an unreachable host: no test ever
// opens a connection.
import { type MockInstance, vi } from "vitest";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface FakeInternet {
  /** Requests that reached a host (DNS queries excluded). */
  requests: Request[];
  dnsQueries: string[];
  spy: MockInstance<typeof fetch>;
}

const DOH_ORIGIN = "https://cloudflare-dns.com";

function dohAnswer(url: URL, dns: Record<string, string[]>): Response {
  const name = (url.searchParams.get("name") ?? "").toLowerCase();
  const type = url.searchParams.get("type");
  const addresses = dns[name];
  if (!addresses) return Response.json({ Status: 3, Question: [{ name, type: type === "AAAA" ? 28 : 1 }] }, { headers: { "Content-Type": "application/dns-json" } });
  const wanted = addresses.filter((a) => (type === "AAAA" ? a.includes(":") : !a.includes(":")));
  return Response.json(
    { Status: 0, Answer: wanted.map((data) => ({ name, type: type === "AAAA" ? 28 : 1, TTL: 60, data })) },
    { headers: { "Content-Type": "application/dns-json" } },
  );
}

export function fakeInternet(hosts: Record<string, Handler>, dns: Record<string, string[]> = {}): FakeInternet {
  const requests: Request[] = [];
  const dnsQueries: string[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    if (url.origin === DOH_ORIGIN) {
      dnsQueries.push(`${url.searchParams.get("name")} ${url.searchParams.get("type")}`);
      return dohAnswer(url, dns);
    }
    requests.push(request);
    const handler = hosts[url.host] ?? hosts[`${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`];
    if (!handler) throw new TypeError(`Network connection lost (fake internet: no host ${url.host})`);
    return handler(request);
  });
  return { requests, dnsQueries, spy };
}

/** A response body produced chunk by chunk, counting what was pulled. */
export function countedBody(total: number, chunkSize = 64 * 1024): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        const n = Math.min(chunkSize, total - sent);
        sent += n;
        controller.enqueue(new Uint8Array(n).fill(sent & 0xff));
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => sent };
}

/** A handler that never answers until the request is aborted. */
export const hang: Handler = (request) =>
  new Promise<Response>((_, reject) => request.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
