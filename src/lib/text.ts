// One normalisation for user and model text, applied before anything is streamed or stored, so a
// conversation's history equals what was shown: NUL characters are removed (Dify strips them from
// queries and inputs; SQLite text would keep or drop them depending on the path) and lone UTF-16
// surrogates become U+FFFD (JSON streams them as "\ud800" escapes, UTF-8 storage cannot hold them).

export function cleanText(text: string): string {
  const withoutNul = text.includes("\0") ? text.replace(/\0/g, "") : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

/** Strings anywhere inside a JSON value, cleaned (keys too). */
export function cleanJson<T>(value: T): T {
  if (typeof value === "string") return cleanText(value) as T;
  if (Array.isArray(value)) return value.map(cleanJson) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanJson(v)])) as T;
  }
  return value;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Cleans text that arrives in pieces (model deltas): a high surrogate at the end of a piece is held
 * back until the next piece shows whether its pair follows, so a split pair is not broken.
 */
export class TextStreamCleaner {
  private held = "";

  push(piece: string): string {
    let text = this.held + piece;
    this.held = "";
    if (text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) {
      this.held = text.slice(-1);
      text = text.slice(0, -1);
    }
    return cleanText(text);
  }

  /** What is still held back (a lone high surrogate, as U+FFFD). */
  flush(): string {
    const rest = cleanText(this.held);
    this.held = "";
    return rest;
  }
}

const encoder = new TextEncoder();

/** UTF-8 length of a string. */
export const utf8Length = (text: string): number => encoder.encode(text).length;

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 (never splitting a character). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return text;
  let low = 0;
  let high = Math.min(text.length, maxBytes);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (utf8Length(text.slice(0, mid)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  let end = low;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}
