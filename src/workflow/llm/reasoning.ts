// Reasoning models write their thinking inline as <think>…</think> (spec §3.4 `reasoning_format`).
// `tagged` keeps it in the text; `separated` moves it to reasoning_content, and (1.14.2) also keeps it
// out of the stream. A tag can arrive split over chunks ("<thi" + "nk>"), so the stream filter holds
// back only a tail that could still become a tag. An unclosed <think> at the end (a cut-off answer)
// is reasoning, never text.

// Dify allows up to 512 characters of attributes in the opening tag.
const OPEN = "<think(?:\\s[^<>]{0,512})?>";
const BLOCK = new RegExp(`${OPEN}([\\s\\S]*?)</think>`, "gi");
const OPEN_TAG = new RegExp(OPEN, "i");
const CLOSE_TAG = /<\/think>/i;
const TRAILING_OPEN = new RegExp(`${OPEN}((?:(?!</think>)[\\s\\S])*)$`, "i");
const OPEN_PREFIX = "<think";
const CLOSE = "</think>";
const OPEN_MAX = OPEN_PREFIX.length + 1 + 512;

export type ReasoningFormat = "tagged" | "separated";

export function reasoningFormat(value: unknown): ReasoningFormat {
  return value === "separated" ? "separated" : "tagged";
}

/** separated: the text without think blocks (blank-line runs collapsed, trimmed) and the reasoning. */
export function splitReasoning(full: string, format: ReasoningFormat): { text: string; reasoning: string } {
  if (format === "tagged") return { text: full, reasoning: "" };
  const reasoning: string[] = [];
  let clean = full.replace(BLOCK, (_match, inner: string) => {
    if (inner.trim()) reasoning.push(inner.trim());
    return "";
  });
  const trailing = TRAILING_OPEN.exec(clean);
  if (trailing) {
    if (trailing[1].trim()) reasoning.push(trailing[1].trim());
    clean = clean.slice(0, trailing.index);
  }
  return { text: clean.replace(/\n\s*\n/g, "\n\n").trim(), reasoning: reasoning.join("\n") };
}

/** Strips think blocks from a stream, chunk by chunk (separated mode only). */
export class ThinkFilter {
  private inside = false;
  private hold = "";
  private started = false;

  feed(chunk: string): string {
    let work = this.hold + chunk;
    this.hold = "";
    let out = "";
    while (work) {
      if (!this.inside) {
        const open = OPEN_TAG.exec(work);
        if (open) {
          out += work.slice(0, open.index);
          this.inside = true;
          work = work.slice(open.index + open[0].length);
          continue;
        }
        const keep = openTail(work);
        out += work.slice(0, work.length - keep);
        this.hold = work.slice(work.length - keep);
      } else {
        const close = CLOSE_TAG.exec(work);
        if (close) {
          this.inside = false;
          work = work.slice(close.index + close[0].length);
          continue;
        }
        this.hold = work.slice(work.length - closeTail(work));
      }
      work = "";
    }
    return this.leading(out);
  }

  /** What may still be sent when the stream ends (an unclosed think block is dropped). */
  finish(): string {
    const rest = this.inside ? "" : this.hold;
    this.hold = "";
    return this.leading(rest);
  }

  // Text after a leading think block starts with whitespace; Dify trims it, as splitReasoning does.
  private leading(text: string): string {
    if (this.started || !text) return text;
    const trimmed = text.trimStart();
    if (trimmed) this.started = true;
    return trimmed;
  }
}

/** Length of the tail of `work` that could still grow into an opening tag. */
function openTail(work: string): number {
  const lt = work.lastIndexOf("<");
  if (lt === -1) return 0;
  const tail = work.slice(lt);
  const lower = tail.toLowerCase();
  if (tail.includes(">")) return 0;
  if (tail.length <= OPEN_PREFIX.length) return OPEN_PREFIX.startsWith(lower) ? tail.length : 0;
  return lower.startsWith(OPEN_PREFIX) && /\s/.test(tail[OPEN_PREFIX.length]) && tail.length <= OPEN_MAX ? tail.length : 0;
}

/** Length of the tail of `work` that could still grow into "</think>". */
function closeTail(work: string): number {
  for (let k = Math.min(work.length, CLOSE.length - 1); k > 0; k--) if (CLOSE.startsWith(work.slice(-k).toLowerCase())) return k;
  return 0;
}

/** The classifier reads its JSON from the reply without any think block. */
export function stripThink(text: string): string {
  return text.includes("<think>") ? text.replace(/<think[^>]*>[\s\S]*?<\/think>/gi, "") : text;
}
