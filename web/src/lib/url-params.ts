// What a share link carries in its query (spec dify-web-client.md §2.4): `sys.<name>` values
// gzip-compressed then base64-encoded; inputs raw on /chat/ and /completion/, gzip+base64 on
// /chatbot/ (what /embed.js writes).

async function gunzipBase64(value: string): Promise<string> {
  const bytes = Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

async function decodeValue(value: string, compressed: boolean): Promise<string> {
  if (!compressed) return value;
  try {
    return await gunzipBase64(value);
  } catch {
    return value; // not compressed after all: use it as written
  }
}

export interface LinkParams {
  system: Record<string, string>;
  inputs: Record<string, string>;
}

export async function readLinkParams(compressedInputs: boolean): Promise<LinkParams> {
  const system: Record<string, string> = {};
  const inputs: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(location.search)) {
    if (key.startsWith("sys.")) system[key.slice(4)] = await decodeValue(value, true);
    else if (!key.startsWith("user.") && key !== "lang") inputs[key] = await decodeValue(value, compressedInputs);
  }
  return { system, inputs };
}

/** The last non-empty path segment: the share code. */
export function shareCodeFromPath(): string {
  return decodeURIComponent(location.pathname.split("/").filter(Boolean).at(-1) ?? "");
}
