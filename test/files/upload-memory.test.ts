// A 100 MB upload must stream: the isolate never holds more than about one R2 part of it.
// workerd exposes no heap figures (process.memoryUsage() and v8 heap statistics read 0), so memory is
// measured by accounting: every byte the client has sent but R2 has not yet accepted is held
// somewhere in this isolate. The client body is a pull stream (it produces a chunk only when the
// server reads one), and the bucket the worker writes to counts the bytes it accepts.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { PART_SIZE } from "../../src/lib/r2-stream";
import { fileUploadResponse } from "../../src/schemas/files";
import { appSession, call, expectShape } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";
import { chatAppYaml, uploadHeaders } from "../helpers/files";

const MB = 1024 * 1024;
const original = env.FILES;
afterEach(() => {
  (env as { FILES: R2Bucket }).FILES = original;
});

const sizeOf = (value: unknown): number =>
  value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? value.byteLength : typeof value === "string" ? new TextEncoder().encode(value).byteLength : 0;

/** The real bucket, counting the bytes R2 has accepted (single puts and multipart parts). */
function countingBucket(bucket: R2Bucket, accepted: (bytes: number, part?: number) => void): R2Bucket {
  const bind = (target: object, prop: PropertyKey) => {
    const value = Reflect.get(target, prop);
    return typeof value === "function" ? value.bind(target) : value;
  };
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === "put") {
        return async (key: string, value: unknown, options?: R2PutOptions) => {
          const result = await target.put(key, value as ArrayBuffer, options);
          accepted(sizeOf(value));
          return result;
        };
      }
      if (prop === "createMultipartUpload") {
        return async (key: string, options?: R2MultipartOptions) => {
          const upload = await target.createMultipartUpload(key, options);
          return new Proxy(upload, {
            get(u, p) {
              if (p !== "uploadPart") return bind(u, p);
              return async (n: number, value: ArrayBuffer | ArrayBufferView) => {
                const part = await u.uploadPart(n, value);
                accepted(sizeOf(value), n);
                return part;
              };
            },
          });
        };
      }
      return bind(target, prop);
    },
  });
}

describe("upload memory", () => {
  it("streams a 100 MB video to R2 holding at most about one 8 MiB part in the isolate", async () => {
    const session = await appSession(
      chatAppYaml(demoApp("chat"), { fileUpload: { enabled: true, allowed_file_types: ["video"], allowed_file_upload_methods: ["local_file"], number_limits: 1 } }),
    );
    const fileSize = 100 * MB;
    const boundary = "----memoryprobe";
    const encoder = new TextEncoder();
    const head = encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
    const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
    const chunkSize = 64 * 1024;
    const expectedHash = new crypto.DigestStream("SHA-256");
    const hashWriter = expectedHash.getWriter();

    let produced = 0; // file bytes the client has handed over
    let stored = 0; // bytes R2 has accepted
    let peak = 0;
    let sent = 0;
    let stage: "head" | "file" | "tail" | "done" = "head";
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (stage === "head") {
            stage = "file";
            return controller.enqueue(head);
          }
          if (stage === "file") {
            const n = Math.min(chunkSize, fileSize - sent);
            const chunk = new Uint8Array(n);
            // Content varies per chunk (a running counter), so nothing can be deduplicated.
            new DataView(chunk.buffer).setUint32(0, sent / chunkSize);
            chunk.fill((sent / chunkSize) & 0xff, 4);
            sent += n;
            produced += n;
            peak = Math.max(peak, produced - stored);
            await hashWriter.write(chunk);
            if (sent === fileSize) stage = "tail";
            return controller.enqueue(chunk);
          }
          if (stage === "tail") {
            stage = "done";
            controller.enqueue(tail);
            return controller.close();
          }
        },
      },
      { highWaterMark: 0 },
    );

    const partSizes: number[] = [];
    (env as { FILES: R2Bucket }).FILES = countingBucket(original, (bytes, part) => {
      stored += bytes;
      if (part !== undefined) partSizes[part - 1] = bytes;
    });
    const started = Date.now();
    const res = await call("/api/files/upload", { method: "POST", body, headers: uploadHeaders(session, `multipart/form-data; boundary=${boundary}`) });
    const uploaded = await expectShape(res, fileUploadResponse, 201);
    await hashWriter.close();
    const hash = [...new Uint8Array(await expectedHash.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");

    expect(uploaded).toMatchObject({ name: "clip.mp4", size: fileSize, extension: "mp4", mime_type: "video/mp4" });
    expect(stored).toBe(fileSize);
    const row = await env.DB.prepare("SELECT hash, key FROM upload_files WHERE id = ?").bind(uploaded.id).first<{ hash: string; key: string }>();
    expect(row!.hash).toBe(hash);
    expect((await original.head(row!.key))!.size).toBe(fileSize);

    console.log(
      `100 MB upload: peak bytes held between client and R2 ${(peak / MB).toFixed(2)} MiB ` +
        `(R2 part ${PART_SIZE / MB} MiB), ${Date.now() - started} ms; parts ${partSizes.map((n) => (n / MB).toFixed(2)).join(" ")} MiB`,
    );
    // R2 wants every part but the last the same size: 12 × 8 MiB and the 4 MiB rest.
    expect(partSizes).toEqual([...Array(12).fill(PART_SIZE), fileSize - 12 * PART_SIZE]);
    // Buffering the body would hold all 100 MB; streaming holds one part plus a few chunks in flight.
    expect(peak).toBeLessThanOrEqual(PART_SIZE + 2 * MB);
    expect(peak).toBeLessThan(fileSize / 8);
  }, 120_000);
});
