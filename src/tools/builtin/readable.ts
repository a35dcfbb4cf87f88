// Readable text of an HTML page with the runtime's streaming HTMLRewriter (no DOM, no dependency):
// the title and author from <head>, the text of <article> or <main> when they hold the page's text,
// else of the whole body, without scripts, styles, navigation, headers, footers, asides and forms.
// Block elements become line breaks; each line is normalised as Dify's readabilipy output is (NFKC,
// control characters removed, runs of whitespace collapsed).

export interface ReadablePage {
  title: string;
  author: string;
  /** Paragraphs, one a line. */
  text: string;
}

const SKIPPED = "title, script, style, noscript, template, svg, canvas, iframe, object, nav, header, footer, aside, form, button, select, dialog, head";
const BLOCKS = "p, div, section, article, main, li, dt, dd, h1, h2, h3, h4, h5, h6, blockquote, pre, tr, table, ul, ol, dl, figure, figcaption, address, hr, br, td, th";
// A paragraph break that cannot occur in text (the text is normalised with it removed).
const BREAK = "\u0000";
// An article shorter than this is probably a teaser; the body is read instead.
const MIN_ARTICLE_CHARS = 140;

const NAMED: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", ensp: "\u2002", emsp: "\u2003", thinsp: "\u2009",
  ndash: "–", mdash: "—", lsquo: "‘", rsquo: "’", sbquo: "‚", ldquo: "“", rdquo: "”", bdquo: "„", hellip: "…", bull: "•",
  prime: "′", Prime: "″", dagger: "†", Dagger: "‡", permil: "‰", lsaquo: "‹", rsaquo: "›", euro: "€", trade: "™",
  larr: "←", rarr: "→", uarr: "↑", darr: "↓", harr: "↔", minus: "−", le: "≤", ge: "≥", ne: "≠", infin: "∞", asymp: "≈",
  zwj: "\u200d", zwnj: "\u200c", lrm: "\u200e", rlm: "\u200f", OElig: "Œ", oelig: "œ", Scaron: "Š", scaron: "š", Yuml: "Ÿ",
  fnof: "ƒ", circ: "ˆ", tilde: "˜", alpha: "α", beta: "β", gamma: "γ", delta: "δ", pi: "π", sigma: "σ", mu: "μ", omega: "ω",
};
// Latin-1's named entities, U+00A1 onwards, in code point order.
const LATIN1 =
  "iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";
LATIN1.split(" ").forEach((name, i) => (NAMED[name] = String.fromCodePoint(0xa1 + i)));

/** Decodes character references (numeric, and the named ones pages commonly use). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?/g, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : "\ufffd";
    }
    return NAMED[ref] ?? whole;
  });
}

/** normalize_text: control characters (but whitespace) removed, NFKC, whitespace collapsed, trimmed. */
function normalise(line: string): string {
  return line
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, (c) => (c === "\t" || c === "\n" || c === "\r" || c === "\f" ? " " : ""))
    .normalize("NFKC")
    .replace(/\s+/g, " ")
    .trim();
}

/** Registers an end-tag handler; false for elements that have none (void or self-closing ones). */
function onEnd(el: Element, handler: () => void): boolean {
  try {
    el.onEndTag(handler);
    return true;
  } catch {
    return false;
  }
}

const paragraphs = (raw: string): string[] => decodeEntities(raw).split(BREAK).map(normalise).filter(Boolean);

/** Reads `html` (decoded text) to its title, author and readable text. */
export async function readablePage(html: string): Promise<ReadablePage> {
  let title = "";
  let author = "";
  let body = "";
  let article = "";
  let skipDepth = 0;
  let articleDepth = 0;
  let inTitle = false;

  const breakHere = () => {
    if (skipDepth > 0) return;
    body += BREAK;
    if (articleDepth > 0) article += BREAK;
  };

  const rewriter = new HTMLRewriter()
    .on("title", {
      element(el) {
        if (title) return;
        inTitle = onEnd(el, () => void (inTitle = false));
      },
      text(chunk) {
        if (inTitle) title += chunk.text;
      },
    })
    .on('meta[name="author" i], meta[property="article:author" i], meta[name="byl" i]', {
      element(el) {
        if (!author) author = el.getAttribute("content") ?? "";
      },
    })
    .on(SKIPPED, {
      element(el) {
        if (onEnd(el, () => void skipDepth--)) skipDepth++;
      },
    })
    .on("article, main, [role=main]", {
      element(el) {
        if (onEnd(el, () => void articleDepth--)) articleDepth++;
      },
    })
    .on(BLOCKS, {
      element(el) {
        breakHere();
        if (el.tagName === "li") {
          if (skipDepth === 0) {
            body += "- ";
            if (articleDepth > 0) article += "- ";
          }
        }
        onEnd(el, breakHere);
      },
    })
    .onDocument({
      text(chunk) {
        if (skipDepth > 0 || !chunk.text) return;
        body += chunk.text;
        if (articleDepth > 0) article += chunk.text;
      },
    });

  await rewriter.transform(new Response(html)).arrayBuffer();
  const articleParagraphs = paragraphs(article);
  const chosen = articleParagraphs.join("").length >= MIN_ARTICLE_CHARS ? articleParagraphs : paragraphs(body);
  return { title: normalise(decodeEntities(title)), author: normalise(decodeEntities(author)), text: chosen.join("\n") };
}
