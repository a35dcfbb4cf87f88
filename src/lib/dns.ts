// Name resolution for the SSRF guard. Workers have no resolver API, so names are resolved with
// DNS-over-HTTPS (the JSON API that Cloudflare's and Google's resolvers speak). The guard takes any
// Resolver, so tests inject their own and never reach a real resolver.

/** All A and AAAA addresses of `hostname` (empty when the name does not exist). */
export type Resolver = (hostname: string, signal?: AbortSignal) => Promise<string[]>;

export class ResolveError extends Error {}

interface DohAnswer {
  Status?: number;
  Answer?: { type?: number; data?: string }[];
}

const NXDOMAIN = 3;
const RECORD_TYPES = { A: 1, AAAA: 28 } as const;

export function dohResolver(endpoint: string): Resolver {
  const query = async (hostname: string, type: keyof typeof RECORD_TYPES, signal?: AbortSignal): Promise<string[]> => {
    const url = `${endpoint}?${new URLSearchParams({ name: hostname, type })}`;
    const res = await fetch(url, { headers: { Accept: "application/dns-json" }, signal });
    if (!res.ok) throw new ResolveError(`resolver answered HTTP ${res.status}`);
    const body = (await res.json()) as DohAnswer;
    if (body.Status === NXDOMAIN) return [];
    if (body.Status !== 0) throw new ResolveError(`resolver status ${String(body.Status)}`);
    // CNAME chains come back with the final records; only address records matter.
    return (body.Answer ?? []).filter((a) => a.type === RECORD_TYPES[type] && typeof a.data === "string").map((a) => a.data!);
  };
  return async (hostname, signal) => {
    const [v4, v6] = await Promise.all([query(hostname, "A", signal), query(hostname, "AAAA", signal)]);
    return [...v4, ...v6];
  };
}
