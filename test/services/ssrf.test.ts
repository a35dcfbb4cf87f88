import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/lib/errors";
import { dohResolver } from "../../src/lib/dns";
import { forbiddenAddressReason, parseIp, parseIPv4, parseIPv6 } from "../../src/lib/ip-ranges";
import { checkRemoteUrl, fetchRemote, type SsrfPolicy } from "../../src/lib/ssrf";
import { fakeInternet, hang } from "../helpers/fake-internet";

afterEach(() => {
  vi.restoreAllMocks();
});

const policy = (overrides: Partial<SsrfPolicy> = {}): SsrfPolicy => ({
  allowedHosts: new Set(),
  resolve: async (host) => ({ "files.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] })[host] ?? [],
  timeoutMs: 200,
  maxRedirects: 3,
  ...overrides,
});

async function refusal(url: string, p = policy()): Promise<ApiError> {
  const err = await checkRemoteUrl(new URL(url), p).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, url).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("IP address parsing", () => {
  it("reads IPv4 in every inet_aton spelling", () => {
    const v4 = (text: string) => parseIPv4(text)?.join(".") ?? null;
    expect(v4("127.0.0.1")).toBe("127.0.0.1");
    expect(v4("127.1")).toBe("127.0.0.1");
    expect(v4("127.0.1")).toBe("127.0.0.1");
    expect(v4("2130706433")).toBe("127.0.0.1");
    expect(v4("0x7f000001")).toBe("127.0.0.1");
    expect(v4("0x7f.0x0.0x0.0x1")).toBe("127.0.0.1");
    expect(v4("0177.0.0.01")).toBe("127.0.0.1");
    expect(v4("017700000001")).toBe("127.0.0.1");
    expect(v4("0")).toBe("0.0.0.0");
    expect(v4("169.254.169.254.")).toBe("169.254.169.254");
    for (const bad of ["256.0.0.1", "1.2.3.4.5", "0x100000000", "08.0.0.1", "1..2", "", "example.com", "1.2.3.256"]) expect(v4(bad), bad).toBeNull();
  });

  it("reads IPv6 with compression, embedded IPv4 and zone ids", () => {
    const hex = (text: string) => [...(parseIPv6(text) ?? [])].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(hex("::1")).toBe(`${"00".repeat(15)}01`);
    expect(hex("::")).toBe("00".repeat(16));
    expect(hex("::ffff:127.0.0.1")).toBe(`${"00".repeat(10)}ffff7f000001`);
    expect(hex("fe80::1%eth0")).toBe(`fe80${"00".repeat(13)}01`);
    expect(hex("1:2:3:4:5:6:7:8")).toBe("00010002000300040005000600070008");
    for (const bad of ["1:2:3:4:5:6:7:8:9", "1::2::3", "::ffff:256.0.0.1", "12345::", "g::1", ":::"]) expect(parseIPv6(bad), bad).toBeNull();
    expect(parseIp("[::1]")?.version).toBe(6);
    expect(parseIp("files.example.com")).toBeNull();
  });

  it("classifies every forbidden range and lets public unicast through", () => {
    const reason = (host: string) => forbiddenAddressReason(parseIp(host)!);
    const table: [string, string | null][] = [
      ["127.0.0.1", "a loopback address"],
      ["127.255.255.254", "a loopback address"],
      ["0.0.0.0", "an unspecified address"],
      ["10.1.2.3", "a private address"],
      ["172.31.255.255", "a private address"],
      ["192.168.0.1", "a private address"],
      ["169.254.1.1", "a link-local address"],
      ["169.254.169.254", "a cloud metadata address"],
      ["169.254.170.2", "a cloud metadata address"],
      ["100.100.100.200", "a cloud metadata address"],
      ["192.0.0.192", "a cloud metadata address"],
      ["100.64.0.1", "a carrier-grade NAT address"],
      ["100.127.255.255", "a carrier-grade NAT address"],
      ["224.0.0.251", "a multicast address"],
      ["239.255.255.250", "a multicast address"],
      ["255.255.255.255", "a reserved address"],
      ["198.18.0.1", "a reserved address"],
      ["::", "an unspecified address"],
      ["::1", "a loopback address"],
      ["::ffff:127.0.0.1", "a loopback address"],
      ["::ffff:a9fe:a9fe", "a cloud metadata address"],
      ["::127.0.0.1", "a loopback address"],
      ["64:ff9b::7f00:1", "a loopback address"],
      ["2002:c0a8:101::", "a private address"],
      ["fd00:ec2::254", "a cloud metadata address"],
      ["fc00::1", "a private address"],
      ["fe80::1", "a link-local address"],
      ["ff02::1", "a multicast address"],
      ["2001::1", "a reserved address"],
      ["8.8.8.8", null],
      ["93.184.215.14", null],
      ["100.63.255.255", null],
      ["172.32.0.1", null],
      ["::ffff:8.8.8.8", null],
      ["2606:4700:4700::1111", null],
    ];
    for (const [host, expected] of table) expect(reason(host), host).toBe(expected);
  });
});

describe("checkRemoteUrl", () => {
  it("refuses every spelling of internal addresses and names", async () => {
    const urls = [
      "http://127.0.0.1/",
      "http://127.1/",
      "http://2130706433/",
      "http://0x7f000001/",
      "http://0177.0.0.1/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[0:0:0:0:0:ffff:7f00:1]:8080/",
      "http://localhost/",
      "http://localhost./",
      "http://LOCALHOST.:3000/",
      "http://api.localhost/",
      "http://printer.local/",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://metadata/",
      "http://intranet/",
      "http://0/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[fd00:ec2::254]/latest/meta-data/",
      "http://100.100.100.200/latest/meta-data/",
      "http://[fe80::1]/",
      "http://[::]/",
      "http://[64:ff9b::a9fe:a9fe]/",
      "http://[2002:a9fe:a9fe::1]/",
    ];
    for (const url of urls) expect((await refusal(url)).code, url).toBe("remote_file_url_blocked");
  });

  it("refuses other schemes and credentials", async () => {
    for (const url of ["ftp://files.example.com/a", "file:///etc/passwd", "gopher://files.example.com/", "data:text/plain,hi", "https://user:pw@files.example.com/a"]) {
      expect((await refusal(url)).code, url).toBe("remote_file_url_blocked");
    }
  });

  it("resolves names and refuses any that has a forbidden address among its answers", async () => {
    const resolve = async (host: string) =>
      ({ "rebind.example.com": ["93.184.215.14", "10.0.0.7"], "v6.example.com": ["::1"], "meta.example.com": ["169.254.169.254"] })[host] ?? [];
    for (const host of ["rebind.example.com", "v6.example.com", "meta.example.com"]) {
      const err = await refusal(`https://${host}/x`, policy({ resolve }));
      expect(err.code).toBe("remote_file_url_blocked");
      expect(err.message).toMatch(new RegExp(`^The remote file URL is not allowed: ${host.replace(/\./g, "\\.")} resolves to a`));
    }
    const missing = await refusal("https://nowhere.example.com/x", policy({ resolve }));
    expect(missing.code).toBe("remote_file_upload_error");
    const broken = await refusal("https://files.example.com/x", policy({ resolve: async () => Promise.reject(new Error("resolver down")) }));
    expect(broken.code).toBe("remote_file_upload_error");
    await expect(checkRemoteUrl(new URL("https://files.example.com/a.png"), policy())).resolves.toBeUndefined();
  });

  it("lets SSRF_ALLOWED_HOSTS through by exact host and port only", async () => {
    const allowed = policy({ allowedHosts: new Set(["127.0.0.1:8765", "files.internal:80"]) });
    await expect(checkRemoteUrl(new URL("http://127.0.0.1:8765/a"), allowed)).resolves.toBeUndefined();
    await expect(checkRemoteUrl(new URL("http://FILES.internal./a"), allowed)).resolves.toBeUndefined();
    expect((await refusal("http://127.0.0.1:8766/a", allowed)).code).toBe("remote_file_url_blocked");
    expect((await refusal("http://127.0.0.1/a", allowed)).code).toBe("remote_file_url_blocked");
    expect((await refusal("https://files.internal/a", allowed)).code).toBe("remote_file_url_blocked");
  });
});

describe("fetchRemote", () => {
  it("refuses before any connection is attempted", async () => {
    const net = fakeInternet({});
    await expect(fetchRemote("http://169.254.169.254/latest/meta-data/", policy())).rejects.toMatchObject({ code: "remote_file_url_blocked" });
    expect(net.spy).not.toHaveBeenCalled();
  });

  it("follows up to three redirects by hand, checking every hop", async () => {
    const net = fakeInternet({
      "127.0.0.1:8765": (req) => {
        const step = Number(new URL(req.url).pathname.slice(1) || 0);
        return step < 3 ? new Response(null, { status: 302, headers: { Location: `/${step + 1}` } }) : new Response("done");
      },
      "127.0.0.1:8766": () => new Response(null, { status: 301, headers: { Location: "http://169.254.169.254/latest/meta-data/iam" } }),
    });
    const allowed = policy({ allowedHosts: new Set(["127.0.0.1:8765", "127.0.0.1:8766"]) });
    const ok = await fetchRemote("http://127.0.0.1:8765/0", allowed);
    expect(ok.url).toBe("http://127.0.0.1:8765/3");
    expect(await new Response(ok.body).text()).toBe("done");
    expect(net.requests.map((r) => r.redirect)).toEqual(["manual", "manual", "manual", "manual"]);

    net.requests.length = 0;
    await expect(fetchRemote("http://127.0.0.1:8765/-1", allowed)).rejects.toMatchObject({ code: "remote_file_upload_error", message: expect.stringMatching(/more than 3 redirects$/) });

    net.requests.length = 0;
    await expect(fetchRemote("http://127.0.0.1:8766/", allowed)).rejects.toMatchObject({ code: "remote_file_url_blocked" });
    expect(net.requests.map((r) => r.url)).toEqual(["http://127.0.0.1:8766/"]);
  });

  it("gives up on hosts that do not answer or stall mid-body", async () => {
    fakeInternet({
      "files.example.com": (req) =>
        new URL(req.url).pathname === "/hang"
          ? hang(req)
          : new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array(10)) }), { headers: { "Content-Type": "image/png" } }),
    });
    await expect(fetchRemote("https://files.example.com/hang", policy())).rejects.toMatchObject({
      code: "remote_file_upload_error",
      message: "Failed to fetch file from https://files.example.com/hang: no answer within 0.2 s",
    });
    const stalled = await fetchRemote("https://files.example.com/stall", policy());
    await expect(new Response(stalled.body).arrayBuffer()).rejects.toMatchObject({ code: "remote_file_upload_error" });
  });

  it("reports unreachable hosts without their details", async () => {
    fakeInternet({});
    await expect(fetchRemote("https://files.example.com/a.png", policy())).rejects.toMatchObject({
      code: "remote_file_upload_error",
      message: "Failed to fetch file from https://files.example.com/a.png: the host could not be reached",
    });
  });
});

describe("dohResolver", () => {
  it("asks for A and AAAA records in the DNS JSON protocol", async () => {
    const net = fakeInternet({}, { "files.example.com": ["93.184.215.14", "2606:2800::1"] });
    const resolve = dohResolver("https://cloudflare-dns.com/dns-query");
    expect(await resolve("files.example.com")).toEqual(["93.184.215.14", "2606:2800::1"]);
    expect(await resolve("missing.example.com")).toEqual([]);
    expect(net.dnsQueries).toEqual(["files.example.com A", "files.example.com AAAA", "missing.example.com A", "missing.example.com AAAA"]);
    const accept = net.spy.mock.calls.map(([, init]) => new Headers(init?.headers).get("Accept"));
    expect(new Set(accept)).toEqual(new Set(["application/dns-json"]));
  });
});
