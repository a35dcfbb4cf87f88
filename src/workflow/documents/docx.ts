// DOCX text as Dify's python-docx reading gives it: the body's paragraphs and tables in order, joined
// by "\n"; a paragraph is its text (line breaks as "\n"), a table a Markdown table (its first row the
// header, "---" separators, line breaks in cells as <br>, merged cells repeated in every grid cell
// they cover, tables with no text left out). mammoth (loaded only when a DOCX is read) turns the file
// into simple HTML, which is walked here; its footnote lists and references are dropped, as
// python-docx never reads footnotes, and images are not decoded at all.

interface Cell {
  paragraphs: string[];
  current: string | null;
  colspan: number;
  rowspan: number;
}

interface TableState {
  rows: Cell[][];
  row: Cell[] | null;
  cell: Cell | null;
}

const BLOCKS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li"]);
const NOTE = /^#?(footnote|endnote|comment)-/;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const lower = e.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower] ?? "";
  });
}

function attributes(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of source.matchAll(/([a-zA-Z_:-]+)="([^"]*)"/g)) out[m[1].toLowerCase()] = decodeEntities(m[2]);
  return out;
}

function tableMarkdown(rows: Cell[][]): string | null {
  const grid: string[][] = [];
  const below = new Map<number, { text: string; left: number }>();
  for (const row of rows) {
    const out: string[] = [];
    const fill = () => {
      for (let span = below.get(out.length); span; span = below.get(out.length)) {
        out.push(span.text);
        if (--span.left === 0) below.delete(out.length - 1);
      }
    };
    for (const cell of row) {
      fill();
      const text = cell.paragraphs.join("\n");
      for (let i = 0; i < cell.colspan; i++) {
        if (cell.rowspan > 1) below.set(out.length, { text, left: cell.rowspan - 1 });
        out.push(text);
      }
    }
    fill();
    grid.push(out);
  }
  if (grid.length === 0 || !grid.some((r) => r.some((t) => t.trim()))) return null;
  const line = (cells: string[]) => `| ${cells.map((t) => t.replace(/\n/g, "<br>")).join(" | ")} |\n`;
  return [line(grid[0]), `| ${grid[0].map(() => "---").join(" | ")} |\n`, ...grid.slice(1).map(line)].join("");
}

/** mammoth's HTML as Dify's DOCX text. */
export function docxHtmlToText(html: string): string {
  const items: string[] = [];
  let paragraph: string | null = null;
  let table: TableState | null = null;
  // Elements whose content is dropped: footnotes (and their references), tables inside tables.
  let skip: { tag: string; depth: number } | null = null;
  const flush = () => {
    if (paragraph !== null) items.push(paragraph);
    paragraph = null;
  };
  const append = (text: string) => {
    if (table) {
      const cell = table.cell;
      if (cell) cell.current = (cell.current ?? "") + text;
    } else paragraph = (paragraph ?? "") + text;
  };
  for (const m of html.matchAll(/<(\/?)([a-zA-Z0-9]+)([^>]*)>|([^<]+)/g)) {
    const [, closing, rawTag, attrs, text] = m;
    if (text !== undefined) {
      if (!skip) append(decodeEntities(text));
      continue;
    }
    const tag = rawTag.toLowerCase();
    if (skip) {
      if (tag === skip.tag && !attrs.trim().endsWith("/")) skip.depth += closing ? -1 : 1;
      if (skip.depth === 0) skip = null;
      continue;
    }
    const attr = closing ? {} : attributes(attrs);
    if (!closing && (((tag === "a" && NOTE.test(attr.href ?? "")) || (tag === "li" && NOTE.test(attr.id ?? ""))) || (tag === "table" && table))) {
      skip = { tag, depth: 1 };
      continue;
    }
    if (tag === "br") {
      append("\n");
      continue;
    }
    if (table) {
      const cell = table.cell;
      if (tag === "table" && closing) {
        const markdown = tableMarkdown(table.rows);
        if (markdown !== null) items.push(markdown);
        table = null;
      } else if (tag === "tr") {
        if (closing && table.row) table.rows.push(table.row);
        table.row = closing ? null : [];
      } else if (tag === "td" || tag === "th") {
        if (closing && cell) {
          if (cell.current !== null) cell.paragraphs.push(cell.current);
          table.row?.push(cell);
          table.cell = null;
        } else if (!closing) {
          table.cell = { paragraphs: [], current: null, colspan: Math.max(1, Number(attr.colspan) || 1), rowspan: Math.max(1, Number(attr.rowspan) || 1) };
        }
      } else if (cell && BLOCKS.has(tag)) {
        if (cell.current !== null) cell.paragraphs.push(cell.current);
        cell.current = closing ? null : "";
      }
      continue;
    }
    if (tag === "table") {
      flush();
      table = { rows: [], row: null, cell: null };
    } else if (BLOCKS.has(tag) || tag === "ul" || tag === "ol") {
      flush();
      if (!closing && BLOCKS.has(tag)) paragraph = "";
    }
  }
  flush();
  return items.join("\n");
}

export async function docxText(bytes: Uint8Array): Promise<string> {
  const { default: mammoth } = await import("mammoth");
  const arrayBuffer = bytes.slice().buffer;
  // mammoth's browser build (the bundle) reads `arrayBuffer`, its Node build (the test pool) `buffer`.
  const input = { arrayBuffer, buffer: arrayBuffer } as unknown as { arrayBuffer: ArrayBuffer };
  const { value } = await mammoth.convertToHtml(input, {
    ignoreEmptyParagraphs: false,
    convertImage: mammoth.images.imgElement(async () => ({ src: "" })),
  });
  return docxHtmlToText(value);
}
