// XLSX sheets as Dify's pandas reading gives them: one Markdown table per sheet (each followed by a
// blank line), the first row as column names, rows with no value dropped, and every value printed
// as pandas prints its column: a column of whole numbers as integers, a column with a gap or a
// fraction as floats (1.0, nan), booleans as True/False, dates as "2024-01-05 00:00:00", empty
// cells in mixed columns as nan. read-excel-file (its /universal build; SheetJS on npm is a stale
// release with known CVEs) is loaded only when a workbook is read. Old binary .xls is not read.
import { pyFloat } from "../http/json-body";

type Cell = string | number | boolean | Date | null;

/** "Unnamed: i" for empty names, "a.1", "a.2" for repeats (pandas' header rules). */
function columnNames(header: Cell[]): string[] {
  const seen = new Map<string, number>();
  return header.map((cell, i) => {
    let name = cell === null || cell === "" ? `Unnamed: ${i}` : printScalar(cell);
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count > 0) {
      name = `${name}.${count}`;
      seen.set(name, 1);
    }
    return name.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/).join(" ");
  });
}

function timestamp(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const base = `${p(date.getUTCFullYear(), 4)}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
  return date.getUTCMilliseconds() ? `${base}.${p(date.getUTCMilliseconds(), 3)}000` : base;
}

/** Python's str() of one cell as an object column holds it (ints stay ints). */
function printScalar(cell: Cell): string {
  if (cell === null) return "nan";
  if (cell instanceof Date) return timestamp(cell);
  if (typeof cell === "boolean") return cell ? "True" : "False";
  if (typeof cell === "number") return Number.isInteger(cell) ? String(cell) : pyFloat(cell);
  return cell.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/).join(" ");
}

type ColumnType = "int" | "float" | "bool" | "datetime" | "object";

/** pandas' dtype of a column: empty cells are NaN (a float), so a gap turns integers into floats. */
function columnType(values: Cell[]): ColumnType {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return "float";
  const gaps = present.length < values.length;
  if (present.every((v) => typeof v === "number")) return gaps || present.some((v) => !Number.isInteger(v)) ? "float" : "int";
  if (present.every((v) => v instanceof Date)) return "datetime";
  if (!gaps && present.every((v) => typeof v === "boolean")) return "bool";
  return "object";
}

function printAs(type: ColumnType, cell: Cell): string {
  if (type === "float") return cell === null ? "nan" : pyFloat(Number(cell));
  if (type === "datetime") return cell === null ? "NaT" : timestamp(cell as Date);
  return printScalar(cell);
}

export function sheetToMarkdown(rows: Cell[][]): string {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const [header = [], ...body] = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? null));
  const names = columnNames(header);
  const types = names.map((_, i) => columnType(body.map((r) => r[i])));
  // iterrows() gives each row one dtype: all-numeric rows are upcast to float when any column is.
  const numeric = types.length > 0 && types.every((t) => t === "int" || t === "float");
  const rowTypes = numeric && types.includes("float") ? types.map(() => "float" as const) : types;
  const kept = body.filter((r) => r.some((v) => v !== null));
  return [
    `| ${names.join(" | ")} |`,
    `| ${names.map((n) => "-".repeat(n.length)).join(" | ")} |`,
    ...kept.map((r) => `| ${r.map((v, i) => printAs(rowTypes[i], v)).join(" | ")} |`),
  ].join("\n");
}

export async function xlsxText(bytes: Uint8Array): Promise<string> {
  const { default: readXlsxFile } = await import("read-excel-file/universal");
  const sheets = await readXlsxFile(bytes.slice().buffer, { trim: false });
  return sheets.map((s) => `${sheetToMarkdown(s.data as unknown as Cell[][])}\n\n`).join("");
}
