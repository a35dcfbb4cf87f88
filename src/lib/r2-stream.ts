// Streams a body of unknown length into R2 without holding it in memory: R2 only accepts streams of
// known length, so the bytes are cut into fixed-size parts of a multipart upload (R2 wants every
// part but the last to be the same size, at least 5 MiB). Bodies smaller than one part become a
// single put. The size cap is enforced while reading, and a SHA-256 of the bytes is computed on the
// way (WebCrypto has no SHA3, which Dify uses; Workers' DigestStream hashes incrementally).

/** 8 MiB: peak memory per upload is about one part; 100 MB takes 13 parts (subrequests). */
export const PART_SIZE = 8 * 1024 * 1024;

export interface StoredObject {
  size: number;
  sha256: string;
}

/** Thrown when the body grows past `maxBytes`; nothing is left in R2 by then. */
export class ObjectTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`object larger than ${maxBytes} bytes`);
  }
}

const hex = (bytes: ArrayBuffer): string => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function putStream(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  options: { maxBytes: number; contentType: string; partSize?: number },
): Promise<StoredObject> {
  const partSize = options.partSize ?? PART_SIZE;
  const httpMetadata = { contentType: options.contentType };
  const digest = new crypto.DigestStream("SHA-256");
  const hasher = digest.getWriter();
  // Aborting the hasher rejects `digest`; that rejection is expected, not unhandled.
  digest.digest.catch(() => {});
  const reader = body.getReader();
  let upload: R2MultipartUpload | null = null;
  const parts: R2UploadedPart[] = [];
  let part = new Uint8Array(partSize);
  let filled = 0;
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) throw new ObjectTooLarge(options.maxBytes);
      await hasher.write(value);
      let offset = 0;
      while (offset < value.byteLength) {
        const take = Math.min(partSize - filled, value.byteLength - offset);
        part.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === partSize) {
          upload ??= await bucket.createMultipartUpload(key, { httpMetadata });
          parts.push(await upload.uploadPart(parts.length + 1, part));
          // A fresh buffer: the binding may still reference the one just sent.
          part = new Uint8Array(partSize);
          filled = 0;
        }
      }
    }
    if (upload) {
      if (filled > 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
      await upload.complete(parts);
    } else {
      await bucket.put(key, part.subarray(0, filled), { httpMetadata });
    }
    await hasher.close();
    return { size, sha256: hex(await digest.digest) };
  } catch (err) {
    reader.cancel(err).catch(() => {});
    hasher.abort(err).catch(() => {});
    if (upload) await upload.abort().catch(() => {});
    throw err;
  }
}
