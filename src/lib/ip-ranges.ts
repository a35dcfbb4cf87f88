// IP address parsing and the address ranges a server-side fetch must never reach. IPv4 is parsed
// the way inet_aton and URL parsers do (decimal, hex, octal, 1–4 parts: "127.1", "0x7f000001",
// "017700000001"), IPv6 with "::", embedded IPv4 and zone ids; IPv6 forms that embed an IPv4
// address (mapped, compatible, NAT64, 6to4) are judged by that address.

export type IpAddress = { version: 4; bytes: Uint8Array } | { version: 6; bytes: Uint8Array };

function parseIPv4Part(text: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(text)) return text.length === 2 ? 0 : parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text, 8);
  if (/^(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  return null;
}

/** inet_aton: "a.b.c.d", "a.b.c" (c = 16 bits), "a.b" (b = 24 bits), "a" (32 bits); a trailing dot is allowed. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.replace(/\.$/, "").split(".");
  if (parts.length === 0 || parts.length > 4) return null;
  const values = parts.map(parseIPv4Part);
  if (values.some((v) => v === null || !Number.isSafeInteger(v))) return null;
  const nums = values as number[];
  const last = nums[nums.length - 1];
  if (nums.slice(0, -1).some((v) => v > 255) || last >= 2 ** (8 * (5 - nums.length))) return null;
  const bytes = new Uint8Array(4);
  nums.slice(0, -1).forEach((v, i) => (bytes[i] = v));
  for (let i = 3, rest = last; i >= nums.length - 1; i--, rest = Math.floor(rest / 256)) bytes[i] = rest % 256;
  return bytes;
}

function parseDottedQuad(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

export function parseIPv6(text: string): Uint8Array | null {
  let body = text.replace(/%.*$/, ""); // zone id ("fe80::1%eth0")
  const bytes = new Uint8Array(16);
  // A trailing dotted quad ("::ffff:127.0.0.1") stands for the last two groups.
  const v4 = /^(.*:)(\d+(?:\.\d+)+)$/.exec(body);
  const tailV4 = v4 ? parseDottedQuad(v4[2]) : null;
  if (v4) {
    if (!tailV4) return null;
    body = `${v4[1]}0:0`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(all[i])) return null;
    const value = parseInt(all[i], 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  }
  if (tailV4) bytes.set(tailV4, 12);
  return bytes;
}

/** An address literal as it appears in a URL host ("[::1]" included), else null (a name). */
export function parseIp(host: string): IpAddress | null {
  const unbracketed = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (unbracketed.includes(":")) {
    const bytes = parseIPv6(unbracketed);
    return bytes ? { version: 6, bytes } : null;
  }
  const bytes = parseIPv4(unbracketed);
  return bytes ? { version: 4, bytes } : null;
}

type Range = [prefix: number[], bits: number, reason: string];

const IPV4_BLOCKED: Range[] = [
  [[0], 8, "an unspecified address"],
  [[10], 8, "a private address"],
  [[100, 64], 10, "a carrier-grade NAT address"],
  [[127], 8, "a loopback address"],
  [[169, 254], 16, "a link-local address"],
  [[172, 16], 12, "a private address"],
  [[192, 0, 0], 24, "a reserved address"],
  [[192, 0, 2], 24, "a reserved address"],
  [[192, 88, 99], 24, "a reserved address"],
  [[192, 168], 16, "a private address"],
  [[198, 18], 15, "a reserved address"],
  [[198, 51, 100], 24, "a reserved address"],
  [[203, 0, 113], 24, "a reserved address"],
  [[224], 4, "a multicast address"],
  [[240], 4, "a reserved address"],
];

// Cloud instance metadata endpoints (AWS, GCP, Azure, DigitalOcean: .254; AWS ECS: 170.2; Alibaba;
// Oracle); all inside ranges above, named so the refusal says why.
const METADATA_IPV4 = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192"]);

const IPV6_BLOCKED: Range[] = [
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, "a reserved address"], // 100::/64 discard
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, "a reserved address"], // local-use NAT64
  [[0x20, 0x01, 0x00, 0x00], 32, "a reserved address"], // Teredo hides an IPv4 client
  [[0x20, 0x01, 0x0d, 0xb8], 32, "a reserved address"], // documentation
  [[0xfc], 7, "a private address"], // unique local
  [[0xfe, 0x80], 10, "a link-local address"],
  [[0xfe, 0xc0], 10, "a private address"], // site-local
  [[0xff], 8, "a multicast address"],
];

const METADATA_IPV6 = parseIPv6("fd00:ec2::254")!; // AWS IPv6 metadata

function inRange(bytes: Uint8Array, prefix: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const i = bit / 8;
    const mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff;
    if ((bytes[i] & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

const allZero = (bytes: Uint8Array, from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64 or 6to4), if any. */
function embeddedIPv4(bytes: Uint8Array): Uint8Array | null {
  if (allZero(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.subarray(12); // ::ffff:a.b.c.d
  if (allZero(bytes, 0, 12) && !allZero(bytes, 12, 15)) return bytes.subarray(12); // ::a.b.c.d (deprecated)
  if (inRange(bytes, [0x00, 0x64, 0xff, 0x9b], 96)) return bytes.subarray(12); // 64:ff9b::/96 NAT64
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.subarray(2, 6); // 2002::/16 6to4
  return null;
}

function ipv4Reason(bytes: Uint8Array): string | null {
  if (METADATA_IPV4.has(bytes.join("."))) return "a cloud metadata address";
  for (const [prefix, bits, reason] of IPV4_BLOCKED) if (inRange(bytes, prefix, bits)) return reason;
  return null;
}

/** Why a fetch must not reach `ip`, or null when it is a public unicast address. */
export function forbiddenAddressReason(ip: IpAddress): string | null {
  if (ip.version === 4) return ipv4Reason(ip.bytes);
  const { bytes } = ip;
  if (allZero(bytes, 0, 16)) return "an unspecified address";
  if (allZero(bytes, 0, 15) && bytes[15] === 1) return "a loopback address";
  if (bytes.every((b, i) => b === METADATA_IPV6[i])) return "a cloud metadata address";
  const v4 = embeddedIPv4(bytes);
  if (v4) return ipv4Reason(v4);
  for (const [prefix, bits, reason] of IPV6_BLOCKED) if (inRange(bytes, prefix, bits)) return reason;
  return null;
}
