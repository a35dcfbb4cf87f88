// IP address parsing and the address ranges a server-side fetch must never reach. Parsing is
// ipaddr.js (IPv4 in every inet_aton spelling: decimal, hex, octal, 1–4 parts; IPv6 with "::"),
// behind a small normaliser for the spellings it reads differently from the WHATWG URL parser,
// which is what decides where fetch() connects. Measured against `new URL()` over generated
// spellings (test/services/ip-ranges.test.ts): with the normaliser the two agree on every one.
// IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that address.
import ipaddr from "ipaddr.js";

export type IpAddress = { version: 4; bytes: Uint8Array } | { version: 6; bytes: Uint8Array };

/** inet_aton: "a.b.c.d", "a.b.c" (c = 16 bits), "a.b" (b = 24 bits), "a" (32 bits); a trailing dot is allowed. */
export function parseIPv4(text: string): Uint8Array | null {
  // ipaddr.js refuses two spellings URL hosts and inet_aton take: one trailing dot (a fully
  // qualified name) and an empty hex part ("0x" is 0).
  const normal = text
    .replace(/\.$/, "")
    .split(".")
    .map((part) => (/^0x$/i.test(part) ? "0" : part))
    .join(".");
  try {
    return Uint8Array.from(ipaddr.IPv4.parse(normal).toByteArray());
  } catch {
    return null;
  }
}

export function parseIPv6(text: string): Uint8Array | null {
  // A zone id ("fe80::1%eth0") names an interface, not part of the address (ipaddr.js takes only [0-9a-z] ones).
  let body = text.replace(/%.*$/, "");
  // A trailing IPv4 address ("::ffff:127.0.0.1") stands for the last two groups. ipaddr.js reads
  // "::a.b.c.d" as ::ffff:a.b.c.d and its octets with parseInt (hex passes, "010" is ten); URL
  // takes four decimal parts only. So it is checked here and handed over as two hex groups.
  const tail = /^(.*:)([^:]*\.[^:]*)$/.exec(body);
  if (tail) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(tail[2])) return null;
    const [a, b, c, d] = ipaddr.IPv4.parse(tail[2]).octets;
    body = `${tail[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  try {
    return Uint8Array.from(ipaddr.IPv6.parse(body).toByteArray());
  } catch {
    return null;
  }
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

type Ranges<T> = [range: [T, number], reason: string][];
const table = <T extends ipaddr.IPv4 | ipaddr.IPv6>(parse: (cidr: string) => [T, number], rows: [cidr: string, reason: string][]): Ranges<T> =>
  rows.map(([cidr, reason]) => [parse(cidr), reason]);

// Reviewed against IANA's IPv4 and IPv6 special-purpose address registries. First match wins, so
// cloud metadata endpoints (all inside ranges below) come first and the refusal says why.
const IPV4_REFUSED = table((cidr) => ipaddr.IPv4.parseCIDR(cidr), [
  ["169.254.169.254/32", "a cloud metadata address"], // AWS, GCP, Azure, DigitalOcean
  ["169.254.170.2/32", "a cloud metadata address"], // AWS ECS task metadata
  ["100.100.100.200/32", "a cloud metadata address"], // Alibaba
  ["192.0.0.192/32", "a cloud metadata address"], // Oracle
  ["0.0.0.0/8", "an unspecified address"],
  ["10.0.0.0/8", "a private address"],
  ["100.64.0.0/10", "a carrier-grade NAT address"],
  ["127.0.0.0/8", "a loopback address"],
  ["169.254.0.0/16", "a link-local address"],
  ["172.16.0.0/12", "a private address"],
  ["192.0.0.0/24", "a reserved address"], // IETF protocol assignments
  ["192.0.2.0/24", "a reserved address"], // documentation
  ["192.88.99.0/24", "a reserved address"], // 6to4 relay anycast (deprecated)
  ["192.168.0.0/16", "a private address"],
  ["198.18.0.0/15", "a reserved address"], // benchmarking
  ["198.51.100.0/24", "a reserved address"], // documentation
  ["203.0.113.0/24", "a reserved address"], // documentation
  ["224.0.0.0/4", "a multicast address"],
  ["240.0.0.0/4", "a reserved address"], // includes broadcast 255.255.255.255
]);

const IPV6_EXACT = table((cidr) => ipaddr.IPv6.parseCIDR(cidr), [
  ["::/128", "an unspecified address"],
  ["::1/128", "a loopback address"],
  ["fd00:ec2::254/128", "a cloud metadata address"], // AWS IPv6 metadata
]);

/** IPv6 ranges that carry an IPv4 address, and where its four bytes start. */
const IPV6_EMBEDDING: [range: [ipaddr.IPv6, number], offset: number][] = [
  [ipaddr.IPv6.parseCIDR("::ffff:0:0/96"), 12], // IPv4-mapped
  [ipaddr.IPv6.parseCIDR("::/96"), 12], // IPv4-compatible (deprecated); :: and ::1 are judged above
  [ipaddr.IPv6.parseCIDR("64:ff9b::/96"), 12], // NAT64 well-known prefix
  [ipaddr.IPv6.parseCIDR("2002::/16"), 2], // 6to4
];

const IPV6_REFUSED = table((cidr) => ipaddr.IPv6.parseCIDR(cidr), [
  ["100::/64", "a reserved address"], // discard only
  ["64:ff9b:1::/48", "a reserved address"], // local-use NAT64
  ["2001::/32", "a reserved address"], // Teredo hides an IPv4 client
  ["2001:2::/48", "a reserved address"], // benchmarking
  ["2001:10::/28", "a reserved address"], // ORCHID (deprecated)
  ["2001:db8::/32", "a reserved address"], // documentation
  ["3fff::/20", "a reserved address"], // documentation
  ["fc00::/7", "a private address"], // unique local
  ["fe80::/10", "a link-local address"],
  ["fec0::/10", "a private address"], // site-local (deprecated)
  ["ff00::/8", "a multicast address"],
  // Everything outside global unicast 2000::/3 is reserved by the IETF (the rest of ::/8, SRv6 5f00::/16, …).
  ["::/3", "a reserved address"],
  ["4000::/2", "a reserved address"],
  ["8000::/1", "a reserved address"],
]);

function reasonIn<T extends ipaddr.IPv4 | ipaddr.IPv6>(address: T, ranges: Ranges<T>): string | null {
  for (const [range, reason] of ranges) if (address.match(range)) return reason;
  return null;
}

const ipv4Reason = (bytes: Uint8Array) => reasonIn(new ipaddr.IPv4([...bytes]), IPV4_REFUSED);

/** Why a fetch must not reach `ip`, or null when it is a public unicast address. */
export function forbiddenAddressReason(ip: IpAddress): string | null {
  if (ip.version === 4) return ipv4Reason(ip.bytes);
  const parts = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i] << 8) | ip.bytes[2 * i + 1]);
  const address = new ipaddr.IPv6(parts);
  const exact = reasonIn(address, IPV6_EXACT);
  if (exact) return exact;
  for (const [range, offset] of IPV6_EMBEDDING) if (address.match(range)) return ipv4Reason(ip.bytes.subarray(offset, offset + 4));
  return reasonIn(address, IPV6_REFUSED);
}
