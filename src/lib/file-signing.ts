// Signed file URLs in Dify's format (core/file/helpers.get_signed_file_url):
// <FILES_URL>/files/<id>/file-preview?timestamp&nonce&sign, where sign is the URL-safe base64
// HMAC-SHA256(SECRET_KEY, "file-preview|<id>|<timestamp>|<nonce>"), valid FILES_ACCESS_TIMEOUT seconds.
import { bytesToBase64Url, hmacSha256, timingSafeEqualStrings } from "./crypto";
import { nowSeconds } from "./ids";

export interface FileSigner {
  secretKey: string;
  /** Absolute origin (no trailing slash) the URL points at. */
  baseUrl: string;
  accessTimeout: number;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function sign(secretKey: string, fileId: string, timestamp: string, nonce: string): Promise<string> {
  return bytesToBase64Url(await hmacSha256(secretKey, `file-preview|${fileId}|${timestamp}|${nonce}`));
}

export async function signedFileUrl(signer: FileSigner, fileId: string): Promise<string> {
  const timestamp = String(nowSeconds());
  const nonce = randomHex(16);
  const signature = await sign(signer.secretKey, fileId, timestamp, nonce);
  const query = new URLSearchParams({ timestamp, nonce, sign: signature });
  return `${signer.baseUrl}/files/${fileId}/file-preview?${query}`;
}

/** True when the signature matches and has not expired. */
export async function verifyFileSignature(
  signer: Pick<FileSigner, "secretKey" | "accessTimeout">,
  fileId: string,
  params: { timestamp?: string | null; nonce?: string | null; sign?: string | null },
): Promise<boolean> {
  const { timestamp, nonce, sign: given } = params;
  if (!timestamp || !nonce || !given || !/^\d{1,12}$/.test(timestamp)) return false;
  const expected = await sign(signer.secretKey, fileId, timestamp, nonce);
  if (!timingSafeEqualStrings(expected, given)) return false;
  return nowSeconds() - Number(timestamp) <= signer.accessTimeout;
}
