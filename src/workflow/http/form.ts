// Request bodies and query strings encoded byte for byte as Dify's HTTP client (httpx) sends them:
// Python's quote_plus for query strings and urlencoded forms, and httpx's multipart layout (text
// fields first, then files; CRLF line ends; a 32-hex-digit boundary).

const encoder = new TextEncoder();

/** Python's urllib.parse.quote_plus: UTF-8, unreserved `A-Za-z0-9_.-~` kept, space as "+". */
export function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** urlencode(pairs): duplicates kept, in order. */
export function urlencode(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&");
}

/**
 * The URL with `params` merged into its query the way httpx merges `params=`: a key already in the
 * URL takes the new values at its old position, new keys follow, duplicates within `params` stay.
 */
export function mergeParams(url: URL, params: readonly (readonly [string, string])[]): string {
  if (params.length === 0) return url.href;
  const merged = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) merged.set(k, [...(merged.get(k) ?? []), v]);
  const fresh = new Map<string, string[]>();
  for (const [k, v] of params) fresh.set(k, [...(fresh.get(k) ?? []), v]);
  for (const [k, vs] of fresh) merged.set(k, vs);
  const query = urlencode([...merged].flatMap(([k, vs]) => vs.map((v) => [k, v] as const)));
  const out = new URL(url.href);
  out.search = query;
  return out.href;
}

export interface MultipartFile {
  name: string;
  filename: string;
  mimeType: string;
  bytes: Uint8Array;
}

/** httpx's form parameter escaping: `"` → %22, `\` doubled, control characters (but ESC) as %XX. */
function formParam(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === '"') out += "%22";
    else if (ch === "\\") out += "\\\\";
    else if (code <= 0x1f && code !== 0x1b) out += `%${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += ch;
  }
  return out;
}

export function newBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A multipart/form-data body: every text field, then every file, then the closing boundary. */
export function multipartBody(boundary: string, fields: readonly (readonly [string, string])[], files: readonly MultipartFile[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const [name, value] of fields) {
    chunks.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${formParam(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    const filename = file.filename ? `; filename="${formParam(file.filename)}"` : "";
    chunks.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${formParam(file.name)}"${filename}\r\nContent-Type: ${file.mimeType}\r\n\r\n`));
    chunks.push(file.bytes, encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  return concatBytes(chunks);
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
