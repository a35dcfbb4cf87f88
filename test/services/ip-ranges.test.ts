// The address parser must read every spelling the way the WHATWG URL parser does (that is where
// fetch() connects): generated IPv4 and IPv6 spellings, valid and broken, compared with `new URL()`.
// The spellings ssrf.test.ts lists stay there; this file covers the rest and the ranges added on review.
import { describe, expect, it } from "vitest";
import { forbiddenAddressReason, parseIp, parseIPv4, parseIPv6 } from "../../src/lib/ip-ranges";

let seed = 20261202;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
const hex = (bytes: Uint8Array | null) => (bytes ? [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("") : null);

function spellNumber(value: number): string {
  const style = int(10);
  if (style < 4) return String(value);
  if (style < 7) {
    let digits = value.toString(16);
    if (random() < 0.3) digits = `0${digits}`;
    if (random() < 0.3) digits = digits.toUpperCase();
    return `${random() < 0.2 ? "0X" : "0x"}${digits}`;
  }
  return `0${random() < 0.3 ? "0" : ""}${value.toString(8)}`;
}

function ipv4Spelling(): string {
  const bytes = [int(256), int(256), int(256), int(256)];
  if (random() < 0.3) bytes[0] = pick([0, 10, 127, 169, 172, 192, 100, 224, 255]);
  const count = 1 + int(4);
  const parts = bytes.slice(0, count - 1).map(spellNumber);
  parts.push(spellNumber(bytes.slice(count - 1).reduce((n, b) => n * 256 + b, 0)));
  const text = parts.join(".");
  return pick([text, text, text, `${text}.`, `${text}9`, `${text}.1`, text.replace(".", ".."), `08.${text}`, `0x.${text}`, text.replace(/^\d+/, "0x")]);
}

function ipv6Spelling(): string {
  const groups = Array.from({ length: 8 }, () => (random() < 0.5 ? 0 : int(65536)));
  const prefix = int(8);
  if (prefix === 0) groups.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
  if (prefix === 1) groups.splice(0, 2, 0x64, 0xff9b);
  if (prefix === 2) groups[0] = 0x2002;
  if (prefix === 3) groups.splice(0, 6, 0, 0, 0, 0, 0, 0);
  const texts = groups.map((g) => {
    const digits = random() < 0.1 ? g.toString(16).padStart(4, "0") : g.toString(16);
    return random() < 0.1 ? digits.toUpperCase() : digits;
  });
  let quad: string | null = null;
  if (random() < 0.35) {
    const b = [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255];
    quad = b.map((x) => (random() < 0.08 ? `0${x}` : random() < 0.04 ? `0x${x.toString(16)}` : String(x))).join(".");
  }
  const items = quad ? texts.slice(0, 6) : texts;
  let text: string;
  if (random() < 0.7) {
    const at = int(items.length);
    const length = 1 + int(items.length - at);
    const tail = items.slice(at + length).join(":");
    text = `${items.slice(0, at).join(":")}::${tail}`;
    if (quad) text = tail === "" ? text + quad : `${text}:${quad}`;
  } else {
    text = items.join(":") + (quad ? `:${quad}` : "");
  }
  return pick([text, text, text, text, `${text}:1`, text.replace(":", "::"), `${text}1`, `1:${text}`, `:${text}`, text.replace(/[0-9a-f]/, "g")]);
}

/** Canonical URL IPv6 host ("[::ffff:7f00:1]") to bytes: only the compressed hex form URL writes. */
function canonicalIPv6(host: string): string {
  const [head, tail = ""] = host.slice(1, -1).split("::");
  const left = head ? head.split(":") : [];
  const right = host.includes("::") && tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((g) => g.padStart(4, "0")).join("");
}

/** What the URL parser makes of a host: its address bytes, or null (a name or no valid URL). */
function urlAddress(text: string, v6: boolean): string | null {
  let host: string;
  try {
    host = new URL(v6 ? `http://[${text}]/` : `http://${text}/`).hostname;
  } catch {
    return null;
  }
  if (v6) return canonicalIPv6(host);
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) ? hex(Uint8Array.from(host.split(".").map(Number))) : null;
}

describe("address parsing agrees with the URL parser", () => {
  const families = [
    { name: "IPv4", spell: ipv4Spelling, parse: parseIPv4, v6: false },
    { name: "IPv6", spell: ipv6Spelling, parse: parseIPv6, v6: true },
  ];
  for (const { name, spell, parse, v6 } of families) {
    it(`reads 20,000 generated ${name} spellings as URL does`, () => {
      const differ: string[] = [];
      for (let i = 0; i < 20_000; i++) {
        const text = spell();
        if (hex(parse(text)) !== urlAddress(text, v6)) differ.push(text);
      }
      expect(differ.slice(0, 10)).toEqual([]);
    });
  }

  it("keeps the spellings ipaddr.js alone reads differently", () => {
    // Empty hex parts are zero, as in URL hosts and inet_aton.
    expect(parseIPv4("0x")?.join(".")).toBe("0.0.0.0");
    expect(parseIPv4("0x7f.0x")?.join(".")).toBe("127.0.0.0");
    // "::a.b.c.d" is the compatible form, not the mapped one.
    expect(hex(parseIPv6("::127.0.0.1"))).toBe(`${"00".repeat(12)}7f000001`);
    // The embedded IPv4 address takes four decimal parts only.
    for (const bad of ["::ffff:0x7f.0.0.1", "::ffff:010.0.0.1", "::ffff:127.1", "::1.2.3.4.5"]) expect(parseIPv6(bad), bad).toBeNull();
    // Any zone id is dropped, not only alphanumeric ones.
    expect(hex(parseIPv6("fe80::1%en-0.5"))).toBe(`fe80${"00".repeat(13)}01`);
  });
});

describe("ranges added on review", () => {
  it("refuses IPv6 outside global unicast and the special blocks inside it", () => {
    const reason = (host: string) => forbiddenAddressReason(parseIp(host)!);
    const table: [string, string | null][] = [
      ["::2", "an unspecified address"], // compatible form of 0.0.0.2
      ["::ffff:0:7f00:1", "a reserved address"], // IPv4-translated (SIIT), outside 2000::/3
      ["100::1", "a reserved address"],
      ["5f00::1", "a reserved address"], // SRv6
      ["4000::1", "a reserved address"],
      ["2001:2::1", "a reserved address"], // benchmarking
      ["2001:10::1", "a reserved address"], // ORCHID
      ["3fff::1", "a reserved address"], // documentation
      ["fec0::1", "a private address"],
      ["2002:808:808::1", null], // 6to4 of a public address
      ["64:ff9b::808:808", null], // NAT64 of a public address
      ["2a00:1450:4001:830::200e", null],
    ];
    for (const [host, expected] of table) expect(reason(host), host).toBe(expected);
  });
});
