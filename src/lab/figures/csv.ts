/**
 * A small CSV reader for the committed result tables (`results/<sweep>/table.csv`):
 * comma-separated, first line the header, fields optionally in double quotes (`""` inside
 * quotes is a quote), CRLF or LF line ends.
 *
 * @module
 */

/** A parsed CSV table: the header's column names and one record per data line. */
export interface CsvTable {
  /** Column names, in file order. */
  columns: string[];
  /** One record per data line, keyed by column name (missing trailing fields are `""`). */
  rows: Record<string, string>[];
}

/**
 * Split CSV text into lines of fields.
 *
 * @param text CSV text
 * @returns the lines (blank lines dropped), each a list of fields
 * @throws {SyntaxError} when a quoted field is not closed
 */
function records(text: string): string[][] {
  const lines: string[][] = [];
  let fields: string[] = [], field = "", quoted = false, i = 0;
  const endLine = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "") lines.push(fields);
    fields = [];
    field = "";
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n") endLine();
    else if (c !== "\r") field += c;
    i++;
  }
  if (quoted) throw new SyntaxError("Expected a closing quote in the CSV text but found the end of the text");
  if (field !== "" || fields.length > 0) endLine();
  return lines;
}

/**
 * Parse CSV text whose first line is the header.
 *
 * @param text CSV text
 * @returns columns and records
 * @throws {SyntaxError} when a quoted field is not closed
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * import { strictEqual } from "node:assert/strict";
 * const table = parseCsv('cell,det\n"a, b",0.9\n');
 * strictEqual(table.rows[0].cell, "a, b");
 * strictEqual(table.rows[0].det, "0.9");
 * ```
 */
export function parseCsv(text: string): CsvTable {
  const [header, ...body] = records(text.replace(/^\uFEFF/, ""));
  if (!header) return { columns: [], rows: [] };
  const columns = header.map((c) => c.trim());
  const rows = body.map((fields) => Object.fromEntries(columns.map((c, i) => [c, (fields[i] ?? "").trim()])));
  return { columns, rows };
}

/**
 * Render a CSV table as a markdown table (for notebooks, when a sweep has no `table.md`).
 *
 * @param table the table
 * @param maxRows most data rows shown (a last line says how many were left out). Default 60.
 * @returns markdown, ending in a newline
 * @example
 * ```ts
 * import { csvToMarkdown, parseCsv } from "./csv.ts";
 * csvToMarkdown(parseCsv("a,b\n1,2\n")); // "| a | b |\n|---|---|\n| 1 | 2 |\n"
 * ```
 */
export function csvToMarkdown(table: CsvTable, maxRows = 60): string {
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    `| ${table.columns.map(escape).join(" | ")} |`,
    `|${table.columns.map(() => "---").join("|")}|`,
    ...table.rows.slice(0, maxRows).map((r) => `| ${table.columns.map((c) => escape(r[c] ?? "")).join(" | ")} |`),
  ];
  if (table.rows.length > maxRows) lines.push(`\n(${table.rows.length - maxRows} more rows not shown)`);
  return lines.join("\n") + "\n";
}
