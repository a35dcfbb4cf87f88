// Small real documents built by the tests (not copied from anywhere): a DOCX written by the `docx`
// library, a PDF by pdf-lib, an XLSX zipped by fflate from hand-written SpreadsheetML. Used by the
// pool tests and by the end-to-end check against `wrangler dev`, with the text Dify would extract.
import { AlignmentType, Document, FootnoteReferenceRun, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from "docx";
import { strToU8, zipSync } from "fflate";
import { PDFDocument, StandardFonts } from "pdf-lib";

const cell = (...texts: string[]) => new TableCell({ children: texts.map((t) => new Paragraph(t)) });

export async function sampleDocx(): Promise<Uint8Array> {
  const doc = new Document({
    footnotes: { 1: { children: [new Paragraph("A footnote python-docx never reads.")] } },
    sections: [
      {
        children: [
          new Paragraph({ text: "Quarterly notes", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ children: [new TextRun("Hello "), new TextRun({ text: "world", bold: true }), new TextRun({ text: "second line", break: 1 })] }),
          new Paragraph({ children: [] }),
          new Paragraph({ text: "one", bullet: { level: 0 } }),
          new Paragraph({ text: "two", bullet: { level: 0 } }),
          new Table({
            rows: [
              new TableRow({ children: [cell("Name"), cell("Notes")] }),
              new TableRow({ children: [cell("Ann"), cell("a", "b")] }),
              new TableRow({ children: [new TableCell({ columnSpan: 2, children: [new Paragraph("merged")] })] }),
            ],
          }),
          new Table({ rows: [new TableRow({ children: [cell(""), cell("")] })] }),
          new Paragraph({ alignment: AlignmentType.LEFT, children: [new TextRun("after"), new FootnoteReferenceRun(1)] }),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toArrayBuffer(doc));
}

export const SAMPLE_DOCX_TEXT = "Quarterly notes\nHello world\nsecond line\n\none\ntwo\n| Name | Notes |\n| --- | --- |\n| Ann | a<br>b |\n| merged | merged |\n\nafter";

export async function samplePdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const first = pdf.addPage();
  first.drawText("Invoice 2024-001", { x: 50, y: 700, font, size: 14 });
  first.drawText("Total due: 120.50 EUR", { x: 50, y: 680, font, size: 12 });
  pdf.addPage().drawText("Page two", { x: 50, y: 700, font, size: 12 });
  return pdf.save();
}

export const SAMPLE_PDF_TEXT = "Invoice 2024-001\nTotal due: 120.50 EUR\nPage two";

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

type XCell = string | number | boolean | { date: number } | null;

function sheetXml(rows: XCell[][]): string {
  const col = (i: number) => String.fromCharCode(65 + i);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const cells = rows.map((row, r) => {
    const xml = row
      .map((v, c) => {
        const ref = `${col(c)}${r + 1}`;
        if (v === null) return "";
        if (typeof v === "string") return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(v)}</t></is></c>`;
        if (typeof v === "boolean") return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
        if (typeof v === "number") return `<c r="${ref}"><v>${v}</v></c>`;
        return `<c r="${ref}" s="1"><v>${v.date}</v></c>`;
      })
      .join("");
    return `<row r="${r + 1}">${xml}</row>`;
  });
  return `${XML}<worksheet xmlns="${MAIN}"><sheetData>${cells.join("")}</sheetData></worksheet>`;
}

/** A workbook of named sheets; `{date: serial}` cells get a date format (numFmtId 14). */
export function buildXlsx(sheets: [string, XCell[][]][]): Uint8Array {
  const files: Record<string, Uint8Array> = {
    "[Content_Types].xml": strToU8(
      `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("")}</Types>`,
    ),
    "_rels/.rels": strToU8(`${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    "xl/workbook.xml": strToU8(`${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>${sheets.map(([name], i) => `<sheet name="${name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("")}</sheets></workbook>`),
    "xl/_rels/workbook.xml.rels": strToU8(
      `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("")}<Relationship Id="rId${sheets.length + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ),
    "xl/styles.xml": strToU8(`${XML}<styleSheet xmlns="${MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>`),
  };
  sheets.forEach(([, rows], i) => (files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(sheetXml(rows))));
  return zipSync(files);
}

export function sampleXlsx(): Uint8Array {
  return buildXlsx([
    [
      "People",
      [
        ["name", "age", "joined", "active"],
        ["Ann", 31, { date: 45296 }, true],
        ["Bo\nB", 2, { date: 45291 }, false],
      ],
    ],
    [
      "Scores",
      [
        ["id", "score", null, "id"],
        [1, 9.5, "x", 7],
        [null, null, null, null],
        [2, null, 3, 8],
      ],
    ],
    [
      "Nums",
      [
        ["a", "b"],
        [1, 2.5],
        [3, 4],
      ],
    ],
  ]);
}

// pandas' printing: a gap makes a column float, all-numeric rows are upcast to float (iterrows).
export const SAMPLE_XLSX_TEXT =
  "| name | age | joined | active |\n| ---- | --- | ------ | ------ |\n| Ann | 31 | 2024-01-05 00:00:00 | True |\n| Bo B | 2 | 2023-12-31 00:00:00 | False |\n\n" +
  "| id | score | Unnamed: 2 | id.1 |\n| -- | ----- | ---------- | ---- |\n| 1.0 | 9.5 | x | 7.0 |\n| 2.0 | nan | 3 | 8.0 |\n\n" +
  "| a | b |\n| - | - |\n| 1.0 | 2.5 |\n| 3.0 | 4.0 |\n\n";
