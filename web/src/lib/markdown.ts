// Model output as Markdown, sanitised: marked renders, DOMPurify removes anything that could run
// script or change the page (script, event handlers, javascript: URLs, forms, styles). The page
// CSP (no inline script) is the second wall behind it.
import DOMPurify from "dompurify";
import { Marked } from "marked";

const marked = new Marked({ gfm: true, breaks: true, async: false });

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
  if (node.tagName === "IMG") node.setAttribute("loading", "lazy");
});

const PURIFY = {
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "option", "iframe", "frame", "object", "embed", "link", "meta", "base", "svg", "math"],
  FORBID_ATTR: ["style", "class", "id", "srcset"],
  ALLOW_DATA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|tel:|data:image\/(?:png|gif|jpe?g|webp);|\/|#)/i,
};

export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(marked.parse(text) as string, PURIFY) as string;
}

/**
 * Renders a growing answer into `el` at most once per animation frame, so a token costs one parse
 * of this answer only, never a re-render of the conversation.
 */
export class StreamingMarkdown {
  private text = "";
  private pending = 0;
  private firstPainted = false;

  constructor(private readonly el: HTMLElement) {}

  set(text: string): void {
    this.text = text;
    // The first token renders at once (it is what the reader waits for); later ones per frame.
    if (!this.firstPainted && text) this.flush();
    else if (!this.pending) this.pending = requestAnimationFrame(() => this.flush());
  }

  flush(): void {
    if (this.pending) cancelAnimationFrame(this.pending);
    this.pending = 0;
    this.el.innerHTML = renderMarkdown(this.text);
    if (!this.firstPainted && this.text) {
      this.firstPainted = true;
      // The frame after this one starts only once this render is on screen.
      requestAnimationFrame(() => performance.mark("answer-first-token-painted"));
    }
  }
}

// The first parse compiles marked's and DOMPurify's code paths: do it while the reader types, not
// when the first token of the first answer arrives.
(window.requestIdleCallback ?? ((fn: () => void) => setTimeout(fn, 200)))(() => renderMarkdown("**warm** `up` [x](https://example.com)"));
