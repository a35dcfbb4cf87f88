// CSV files as Dify reads them (Python's csv.reader, excel dialect) and the Markdown tables Dify
// writes for CSV rows: the first row is the header, the separator has as many dashes as each header
// cell has characters, every line ends with "\n", cells lose their line breaks.

/**
 * Python's csv.reader with the excel dialect (strict=False): "," separates, '"' quotes, '""' inside
 * quotes is one '"', a quote in an unquoted field is literal, text after a closing quote joins the
 * field, a blank line is an empty row, and an unterminated quote ends at the end of the data.
 */
export function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let state: "start" | "field" | "quoted" | "quote-in-quoted" = "start";
  let started = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    rows.push(row);
    row = [];
    started = false;
    state = "start";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const newline = ch === "\n" || ch === "\r";
    if (newline && text[i + 1] === "\n" && ch === "\r" && state !== "quoted") i++;
    switch (state) {
      case "start":
        if (newline) {
          if (started) endField();
          endRow();
        } else if (ch === '"') {
          state = "quoted";
          started = true;
        } else if (ch === ",") {
          endField();
          started = true;
        } else {
          field += ch;
          state = "field";
          started = true;
        }
        break;
      case "field":
        if (newline) {
          endField();
          endRow();
        } else if (ch === ",") {
          endField();
          state = "start";
        } else field += ch;
        break;
      case "quoted":
        if (ch === '"') state = "quote-in-quoted";
        else field += ch;
        break;
      case "quote-in-quoted":
        if (ch === '"') {
          field += '"';
          state = "quoted";
        } else if (ch === ",") {
          endField();
          state = "start";
        } else if (newline) {
          endField();
          endRow();
        } else {
          field += ch;
          state = "field";
        }
        break;
    }
  }
  if (started || state !== "start") {
    endField();
    endRow();
  }
  return rows;
}

const cell = (text: string) => text.replace(/\n/g, " ").replace(/\r/g, "");

/** Dify's _rows_to_markdown_table. */
export function rowsToMarkdown(rows: string[][]): string {
  if (rows.length === 0) return "";
  const [header, ...body] = rows;
  const lines = [`| ${header.map(cell).join(" | ")} |\n`, `| ${header.map((c) => "-".repeat(c.length)).join(" | ")} |\n`];
  for (const row of body) lines.push(`| ${row.map(cell).join(" | ")} |\n`);
  return lines.join("");
}
