// A streaming multipart/form-data reader (RFC 7578) over the Web Streams API. Workers' own
// request.formData() buffers the whole body, which a 100 MB upload cannot afford in a 128 MB
// isolate; this hands out each part's body as a stream that pulls from the request only as fast as
// its consumer reads, so memory stays at a few network chunks. Each part must be read to the end or
// cancelled before asking for the next one (the next one drains whatever is left).
// Kept hand-written on purpose: @remix-run/multipart-parser 0.16.3 (and form-data-parser, built on
// it) yields a part only after its closing boundary, holding it whole (measured: 100 MiB held for a
// 100 MB file; a size limit cannot refuse before the whole part is in memory), and it refuses a
// preamble and an epilogue that arrives in a chunk of its own. test/e2e/files.e2e.test.ts measures it.
import { BadRequest } from "./errors";

export interface Part {
  /** The form field name. */
  name: string;
  /** The filename parameter; null for a plain field (werkzeug puts those in request.form). */
  filename: string | null;
  contentType: string | null;
  body: ReadableStream<Uint8Array>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PREAMBLE_BYTES = 4 * 1024;
const MAX_PARTS = 64;
const DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 500;
const CR = 13;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class MalformedMultipart extends BadRequest {
  constructor(detail: string) {
    super(`Invalid multipart/form-data body: ${detail}.`);
  }
}

/** The boundary of a multipart/form-data Content-Type, or null when the body is something else. */
export function multipartBoundary(contentType: string | undefined | null): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** Where `needle` starts in `hay`: a full match, or a partial one running off the end, or -1. */
function search(hay: Uint8Array, needle: Uint8Array, from = 0): { index: number; full: boolean } {
  for (let i = hay.indexOf(needle[0], from); i !== -1; i = hay.indexOf(needle[0], i + 1)) {
    const n = Math.min(needle.byteLength, hay.byteLength - i);
    let j = 1;
    while (j < n && hay[i + j] === needle[j]) j++;
    if (j === n) return { index: i, full: n === needle.byteLength };
  }
  return { index: -1, full: false };
}

/** Value of a header parameter: quoted (with \" and \\ escapes) or a token; RFC 5987 `name*` wins. */
function headerParam(header: string, name: string): string | null {
  const extended = new RegExp(`;\\s*${name}\\*\\s*=\\s*([^']*)'[^']*'([^;\\s]*)`, "i").exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[2]);
    } catch {
      // fall back to the plain parameter
    }
  }
  const plain = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i").exec(header);
  if (!plain) return null;
  return plain[1] !== undefined ? plain[1].replace(/\\(["\\])/g, "$1") : plain[2];
}

export class MultipartReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly delimiter: Uint8Array;
  // A virtual CRLF in front lets the first delimiter be found like every other one.
  private buffer: Uint8Array = encoder.encode("\r\n");
  private ended = false;
  private inBody = false;
  private count = 0;

  constructor(body: ReadableStream<Uint8Array>, boundary: string) {
    this.reader = body.getReader();
    this.delimiter = encoder.encode(`\r\n--${boundary}`);
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.ended = true;
      return false;
    }
    this.buffer = concat(this.buffer, value);
    return true;
  }

  /** The next slice of the current part's body; null at its end (the delimiter is consumed). */
  private async bodyChunk(): Promise<Uint8Array | null> {
    for (;;) {
      if (!this.inBody) return null;
      const { index, full } = search(this.buffer, this.delimiter);
      const safe = index === -1 ? this.buffer.byteLength : index;
      if (full) this.inBody = false;
      if (safe > 0 || full) {
        const chunk = this.buffer.subarray(0, safe);
        this.buffer = this.buffer.subarray(full ? index + this.delimiter.byteLength : safe);
        if (chunk.byteLength > 0) return chunk;
        continue;
      }
      if (!(await this.fill())) throw new MalformedMultipart("the body ended inside a part");
    }
  }

  private async skipBody(): Promise<void> {
    while ((await this.bodyChunk()) !== null);
  }

  /** After a delimiter: "--" closes the body, otherwise padding and CRLF lead to the next part's headers. */
  private async startOfPart(): Promise<boolean> {
    while (this.buffer.byteLength < 2) if (!(await this.fill())) throw new MalformedMultipart("the body ended after a boundary");
    if (this.buffer[0] === 45 && this.buffer[1] === 45) return false;
    for (;;) {
      const eol = this.buffer.indexOf(CR);
      if (eol !== -1 && eol + 1 < this.buffer.byteLength) {
        if (this.buffer[eol + 1] !== 10 || !/^[ \t]*$/.test(decoder.decode(this.buffer.subarray(0, eol)))) {
          throw new MalformedMultipart("bad boundary line");
        }
        this.buffer = this.buffer.subarray(eol + 2);
        return true;
      }
      if (this.buffer.byteLength > 256 || !(await this.fill())) throw new MalformedMultipart("bad boundary line");
    }
  }

  private async headers(): Promise<Record<string, string>> {
    const end = encoder.encode("\r\n\r\n");
    for (;;) {
      // A part without headers: the block is just the CRLF that ends it.
      if (this.buffer.byteLength >= 2 && this.buffer[0] === CR && this.buffer[1] === 10) {
        this.buffer = this.buffer.subarray(2);
        return {};
      }
      const { index, full } = search(this.buffer, end);
      if (full) {
        const text = decoder.decode(this.buffer.subarray(0, index));
        this.buffer = this.buffer.subarray(index + end.byteLength);
        const headers: Record<string, string> = {};
        for (const line of text.split("\r\n")) {
          const colon = line.indexOf(":");
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return headers;
      }
      if (this.buffer.byteLength > MAX_HEADER_BYTES) throw new MalformedMultipart("part headers are too large");
      if (!(await this.fill())) throw new MalformedMultipart("the body ended inside part headers");
    }
  }

  async *parts(): AsyncGenerator<Part> {
    try {
      yield* this.readParts();
    } finally {
      // Done, failed or abandoned by the caller: release the request body (the epilogue is ignored).
      await this.drain();
      this.reader.cancel().catch(() => {});
    }
  }

  /**
   * Reads and drops what is left of a short body before it is cancelled. Cancelling a body the
   * client is still sending resets the connection, and the reset can overtake the answer: under
   * wrangler dev a 400 for a broken 10 KB body then reached the client as a 503 or a reset. Long
   * bodies (an oversized upload) are cut after DRAIN_BYTES or DRAIN_MS.
   */
  private async drain(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const deadline = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), DRAIN_MS)));
    try {
      for (let drained = 0; !this.ended && drained <= DRAIN_BYTES; ) {
        const result = await Promise.race([this.reader.read(), deadline]);
        if (result === null) return;
        if (result.done) this.ended = true;
        else drained += result.value.byteLength;
      }
    } catch {
      // The client went away: nothing left to drain.
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }

  private async *readParts(): AsyncGenerator<Part> {
    // Skip the preamble up to the first delimiter (browsers send none; a body that never reaches
    // a boundary is not multipart, so it is not read to its end).
    this.inBody = true;
    for (let preamble = 0; ; ) {
      const chunk = await this.bodyChunk();
      if (chunk === null) break;
      preamble += chunk.byteLength;
      if (preamble > MAX_PREAMBLE_BYTES) throw new MalformedMultipart("no boundary where the body starts");
    }
    for (;;) {
      if (!(await this.startOfPart())) return;
      if (++this.count > MAX_PARTS) throw new MalformedMultipart("too many parts");
      const headers = await this.headers();
      const disposition = headers["content-disposition"] ?? "";
      if (!/^form-data\b/i.test(disposition)) throw new MalformedMultipart("a part is not form-data");
      this.inBody = true;
      yield {
        name: headerParam(disposition, "name") ?? "",
        filename: headerParam(disposition, "filename"),
        contentType: headers["content-type"] ?? null,
        body: new ReadableStream<Uint8Array>(
          {
            pull: async (controller) => {
              const chunk = await this.bodyChunk();
              if (chunk === null) controller.close();
              else controller.enqueue(chunk);
            },
          },
          // Pull only when the consumer reads: backpressure all the way to the client.
          { highWaterMark: 0 },
        ),
      };
      await this.skipBody();
    }
  }
}

/** Reads a small text field, refusing anything longer than `maxBytes`. */
export async function readField(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  let text = "";
  let size = 0;
  const streamDecoder = new TextDecoder();
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new MalformedMultipart("a form field is too long");
    text += streamDecoder.decode(chunk, { stream: true });
  }
  return text + streamDecoder.decode();
}
