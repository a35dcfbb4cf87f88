import { describe, expect, it } from "vitest";
import { MalformedMultipart, MultipartReader, multipartBoundary, readField } from "../../src/lib/multipart";
import { pseudoRandomBytes, rawMultipart } from "../helpers/files";

const encoder = new TextEncoder();

/** A stream handing out `bytes` in chunks of the given sizes (cycled). */
function chunked(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      const size = sizes[i++ % sizes.length];
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>, boundary: string) {
  const parts: { name: string; filename: string | null; contentType: string | null; data: Uint8Array }[] = [];
  for await (const part of new MultipartReader(body, boundary).parts()) {
    parts.push({ name: part.name, filename: part.filename, contentType: part.contentType, data: new Uint8Array(await new Response(part.body).arrayBuffer()) });
  }
  return parts;
}

describe("multipartBoundary", () => {
  it("reads the boundary of multipart/form-data only", () => {
    expect(multipartBoundary("multipart/form-data; boundary=----abc")).toBe("----abc");
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe("a b");
    expect(multipartBoundary("multipart/mixed; boundary=x")).toBeNull();
    expect(multipartBoundary("application/json")).toBeNull();
    expect(multipartBoundary("multipart/form-data")).toBeNull();
    expect(multipartBoundary(undefined)).toBeNull();
  });
});

describe("MultipartReader", () => {
  const boundary = "----DifyTestBoundary7MA4YWxkTrZu0gW";
  // Content full of near-misses of the delimiter: CRLF, "--", the boundary without its CRLF.
  const tricky = encoder.encode(`a\r\nb\r\n-\r\n--\r\n--${boundary.slice(0, 10)}\r\n--${boundary.slice(0, -1)}X--${boundary}\rz\r`);
  const binary = pseudoRandomBytes(20_000, 11);
  const body = rawMultipart(
    [
      { name: "source", data: "datasets" },
      { name: "file", filename: "tricky.bin", type: "application/octet-stream", data: tricky },
      { name: "blob", filename: "random.bin", data: binary },
      { name: "empty", filename: "empty.txt", type: "text/plain", data: "" },
    ],
    boundary,
  ).body;

  for (const sizes of [[1], [2, 3, 5, 7], [37], [64 * 1024], [body.byteLength]]) {
    it(`parses every part exactly with chunks of ${sizes.join("/")} bytes`, async () => {
      const parts = await collect(chunked(body, sizes), boundary);
      expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
        ["source", null, null],
        ["file", "tricky.bin", "application/octet-stream"],
        ["blob", "random.bin", null],
        ["empty", "empty.txt", "text/plain"],
      ]);
      expect(new TextDecoder().decode(parts[0].data)).toBe("datasets");
      expect(parts[1].data).toEqual(tricky);
      // Compared as text: vitest's deep equality of large byte arrays is slow.
      expect(parts[2].data.byteLength).toBe(binary.byteLength);
      expect(parts[2].data.join(",")).toBe(binary.join(","));
      expect(parts[3].data.byteLength).toBe(0);
    });
  }

  it("skips a preamble and the epilogue, and drains parts the caller does not read", async () => {
    const raw = encoder.encode(
      `preamble text\r\n--b\r\nContent-Disposition: form-data; name="skipped"\r\n\r\nxxxx\r\n--b\r\nContent-Disposition: form-data; name="kept"\r\n\r\nvalue\r\n--b--\r\nepilogue`,
    );
    const names: string[] = [];
    let kept = "";
    for await (const part of new MultipartReader(chunked(raw, [3]), "b").parts()) {
      names.push(part.name);
      if (part.name === "kept") kept = await readField(part.body, 100);
    }
    expect(names).toEqual(["skipped", "kept"]);
    expect(kept).toBe("value");
  });

  it("reads quoted, escaped and RFC 5987 filenames as UTF-8", async () => {
    const raw = encoder.encode(
      `--b\r\nContent-Disposition: form-data; name="a"; filename="say \\"hi\\".txt"\r\n\r\n1\r\n` +
        `--b\r\nContent-Disposition: form-data; name="b"; filename="fallback.txt"; filename*=UTF-8''%E7%85%A7%E7%89%87.png\r\n\r\n2\r\n` +
        `--b\r\ncontent-disposition: form-data; name=c; filename=照片.png\r\n\r\n3\r\n--b--`,
    );
    const parts = await collect(chunked(raw, [5]), "b");
    expect(parts.map((p) => p.filename)).toEqual(['say "hi".txt', "照片.png", "照片.png"]);
  });

  it("rejects bodies that end early, lack the closing boundary or are not form-data", async () => {
    const good = rawMultipart([{ name: "file", filename: "a.txt", data: "hello" }], "b").body;
    const bad = [
      good.subarray(0, good.byteLength - 12),
      encoder.encode(`--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nno end`),
      encoder.encode(`--b\r\nContent-Disposition: attachment; name="x"\r\n\r\nv\r\n--b--`),
      encoder.encode(`--b\r\nContent-Disposition: form-data; name="x"\r\n${"X-Pad: y\r\n".repeat(3000)}\r\nv\r\n--b--`),
      encoder.encode(`--bjunk\r\n`),
      encoder.encode(`${"x".repeat(10_000)}\r\n--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--b--`),
      encoder.encode(""),
    ];
    for (const raw of bad) await expect(collect(chunked(raw, [4]), "b")).rejects.toBeInstanceOf(MalformedMultipart);
  });

  it("refuses a text field longer than asked for", async () => {
    const raw = rawMultipart([{ name: "source", data: "x".repeat(2000) }], "b").body;
    const parts = new MultipartReader(chunked(raw, [100]), "b").parts();
    const { value } = await parts.next();
    await expect(readField(value!.body, 1024)).rejects.toBeInstanceOf(MalformedMultipart);
  });

  it("drains a short rest of a refused body, cuts a long or stalled one", async () => {
    // A body that never reaches a boundary is refused after 4 KiB. What the client already sent is
    // read before the body is released (cancelling it early can reset the connection under the answer).
    const source = (chunks: number | "stall") => {
      const state = { pulled: 0, cancelled: false };
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (chunks === "stall" && state.pulled >= 8 * 1024) return new Promise<void>(() => {});
            if (chunks !== "stall" && state.pulled >= chunks * 1024) return controller.close();
            state.pulled += 1024;
            controller.enqueue(new Uint8Array(1024).fill(120));
          },
          cancel() {
            state.cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
      return { stream, state };
    };
    const refuse = (stream: ReadableStream<Uint8Array>) => expect(new MultipartReader(stream, "b").parts().next()).rejects.toBeInstanceOf(MalformedMultipart);

    const short = source(10);
    await refuse(short.stream);
    expect([short.state.pulled, short.state.cancelled]).toEqual([10 * 1024, false]);

    const long = source(100 * 1024);
    await refuse(long.stream);
    expect(long.state.cancelled).toBe(true);
    expect(long.state.pulled).toBeLessThan(1024 * 1024 + 16 * 1024);

    const stalled = source("stall");
    const started = Date.now();
    await refuse(stalled.stream);
    expect(stalled.state.cancelled).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("pulls from the source only as fast as the part is read", async () => {
    const file = pseudoRandomBytes(1024 * 1024, 5);
    const raw = rawMultipart([{ name: "file", filename: "f.bin", data: file }], "b").body;
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulled >= raw.byteLength) return controller.close();
          const chunk = raw.slice(pulled, pulled + 1024);
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    const parts = new MultipartReader(source, "b").parts();
    const { value: part } = await parts.next();
    const reader = part!.body.getReader();
    let read = 0;
    for (let i = 0; i < 10; i++) read += (await reader.read()).value!.byteLength;
    // Ten chunks read → only about ten chunks (plus the headers) pulled, not the whole megabyte.
    expect(read).toBeGreaterThan(5 * 1024);
    expect(pulled).toBeLessThan(read + 4 * 1024);
    await reader.cancel();
  });
});
