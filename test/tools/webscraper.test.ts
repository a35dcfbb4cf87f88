// The webscraper built-in: a page fetched through the real SSRF guard over a stubbed internet, read
// to Dify's "TITLE / AUTHOR / TEXT" template; its size and time limits; addresses the guard refuses
// before anything is sent (also after a redirect, and for a name that resolves inside).
import { afterEach, describe, expect, it, vi } from "vitest";
import { dohResolver } from "../../src/lib/dns";
import { webscraperTools } from "../../src/tools/builtin/webscraper";
import { resolveArguments } from "../../src/tools/registry";
import { ToolError } from "../../src/tools/types";
import { fakeInternet, hang } from "../helpers/fake-internet";
import { testPolicy, toolContext } from "./context";

const PAGE = `<!doctype html><html><head><title>Tides &amp; Moons</title><meta name="author" content="A. Writer">
<script>var tracking = "never shown";</script><style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<header>Site banner</header>
<article><h1>Why tides happen</h1>
<p>The Moon's gravity pulls the oceans toward it, and the water on the far side lags behind, so most coasts see two high tides a day.</p>
<ul><li>Spring tides: Sun and Moon aligned</li><li>Neap tides: at right angles</li></ul>
<p>Caf&eacute; owners on the coast   plan around them&#8230;</p></article>
<aside>Related: volcanoes</aside><footer>© 2024</footer></body></html>`;

const EXPECTED = [
  "",
  "TITLE: Tides & Moons",
  "AUTHOR: A. Writer",
  "TEXT:",
  "",
  "Why tides happen",
  "The Moon's gravity pulls the oceans toward it, and the water on the far side lags behind, so most coasts see two high tides a day.",
  "- Spring tides: Sun and Moon aligned",
  "- Neap tides: at right angles",
  "Café owners on the coast plan around them...",
  "",
].join("\n");

const limits = { maxBytes: 64 * 1024, timeoutMs: 2_000 };

async function scrape(url: unknown, options: { limits?: typeof limits; context?: ReturnType<typeof toolContext>; config?: Record<string, unknown> } = {}) {
  const [tool] = webscraperTools(options.limits ?? limits);
  const args = resolveArguments(tool, { toolParameters: { url }, toolConfigurations: options.config ?? {} });
  return tool.call(args, options.context ?? toolContext());
}

async function toolFailure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return (err as Error).message;
}

afterEach(() => vi.restoreAllMocks());

describe("webscraper: pages", () => {
  it("reads a page's title, author and article text, without scripts, navigation and page furniture", async () => {
    const internet = fakeInternet({ "news.example": () => new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } }) });
    const result = await scrape("https://news.example/tides");
    expect(result).toEqual({ text: EXPECTED, json: [], files: [] });
    expect(internet.requests).toHaveLength(1);
    // The form default user agent, as Dify's tool yaml declares it.
    expect(internet.requests[0].headers.get("User-Agent")).toBe("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/100.0.1000.0 Safari/537.36");
    await scrape("https://news.example/tides", { config: { user_agent: "TideBot/1.0" } });
    expect(internet.requests[1].headers.get("User-Agent")).toBe("TideBot/1.0");
  });

  it("returns text pages as they are, decodes the declared charset, and keeps Dify's texts for other answers", async () => {
    fakeInternet({
      "files.example": (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/notes.txt") return new Response("plain notes\nline two", { headers: { "Content-Type": "text/plain" } });
        if (path === "/latin1") return new Response(new Uint8Array([0x3c, 0x70, 0x3e, 0x63, 0x61, 0x66, 0xe9, 0x3c, 0x2f, 0x70, 0x3e]), { headers: { "Content-Type": "text/html; charset=iso-8859-1" } });
        if (path === "/logo.png") return new Response(new Uint8Array([0x89, 0x50]), { headers: { "Content-Type": "image/png" } });
        return new Response("gone", { status: 404 });
      },
    });
    expect((await scrape("https://files.example/notes.txt")).text).toBe("plain notes\nline two");
    expect((await scrape("https://files.example/latin1")).text).toBe("\nTITLE: \nAUTHOR: \nTEXT:\n\ncafé\n");
    expect((await scrape("https://files.example/logo.png")).text).toBe("Unsupported content-type [image/png] of URL.");
    expect((await scrape("https://files.example/missing")).text).toBe("URL returned status code 404.");
    expect((await scrape("  ")).text).toBe("Please input url");
  });

  it("reads at most WEBSCRAPER_MAX_BYTES of a page and pulls no more", async () => {
    let pulled = 0;
    const chunk = new TextEncoder().encode(`<p>${"x".repeat(1017)}</p>\n`); // 1 KiB
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    fakeInternet({ "big.example": () => new Response(endless, { headers: { "Content-Type": "text/html" } }) });
    const result = await scrape("https://big.example/", { limits: { maxBytes: 4096, timeoutMs: 2_000 } });
    const lines = result.text.split("\n").filter((l) => l.startsWith("x"));
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).every((l) => l.length === 1017)).toBe(true);
    expect(pulled).toBeLessThanOrEqual(4096 + 2 * chunk.byteLength);
  });
});

describe("webscraper: limits and the SSRF guard", () => {
  it("fails at WEBSCRAPER_TIMEOUT when a host does not answer, or stalls mid-page", async () => {
    const stalled = () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("<p>start")) }), { headers: { "Content-Type": "text/html" } });
    fakeInternet({ "slow.example": hang, "stall.example": stalled });
    const fast = { maxBytes: 1024, timeoutMs: 150 };
    const started = Date.now();
    expect(await toolFailure(scrape("https://slow.example/", { limits: fast }))).toBe("The page did not load within 0.15 s.");
    expect(await toolFailure(scrape("https://stall.example/", { limits: fast }))).toBe("The page did not load within 0.15 s.");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("stops with the run's signal (the reason, not a tool error)", async () => {
    fakeInternet({ "slow.example": hang });
    const stop = new AbortController();
    const pending = scrape("https://slow.example/", { context: toolContext({ signal: stop.signal }) });
    setTimeout(() => stop.abort(new Error("stopped")), 30);
    await expect(pending).rejects.toThrow("stopped");
  });

  it("refuses internal and metadata addresses before any request is sent", async () => {
    const internet = fakeInternet({ "10.0.0.1": () => new Response(PAGE), "169.254.169.254": () => new Response("secret") });
    expect(await toolFailure(scrape("http://10.0.0.1/admin"))).toBe("The remote file URL is not allowed: 10.0.0.1 is a private address.");
    expect(await toolFailure(scrape("http://169.254.169.254/latest/meta-data/"))).toMatch(/^The remote file URL is not allowed: 169\.254\.169\.254 is /);
    expect(await toolFailure(scrape("http://[::ffff:10.0.0.1]/"))).toMatch(/^The remote file URL is not allowed: /);
    expect(await toolFailure(scrape("http://intranet.local/"))).toBe("The remote file URL is not allowed: intranet.local is an internal host name.");
    expect(await toolFailure(scrape("file:///etc/passwd"))).toBe("The remote file URL is not allowed: only http and https URLs can be fetched.");
    expect(internet.requests).toHaveLength(0);
  });

  it("refuses a redirect into the network and a name that resolves inside it, sending nothing there", async () => {
    const internet = fakeInternet(
      { "hop.example": () => new Response(null, { status: 302, headers: { Location: "http://169.254.169.254/latest/meta-data/" } }), "inside.example": () => new Response(PAGE) },
      { "inside.example": ["10.1.2.3"], "hop.example": ["93.184.216.34"] },
    );
    const context = toolContext({ policy: { ...testPolicy(), resolve: dohResolver("https://cloudflare-dns.com/dns-query") } });
    expect(await toolFailure(scrape("https://hop.example/", { context }))).toMatch(/^The remote file URL is not allowed: 169\.254\.169\.254 is /);
    expect(internet.requests.map((r) => r.url)).toEqual(["https://hop.example/"]);
    expect(await toolFailure(scrape("https://inside.example/", { context }))).toBe("The remote file URL is not allowed: inside.example resolves to a private address.");
    expect(internet.dnsQueries).toContain("inside.example A");
    expect(internet.requests.map((r) => r.url)).toEqual(["https://hop.example/"]);
  });
});
