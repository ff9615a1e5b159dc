// Splitting task files into rows. GLUE .tsv files are not CSV: split on newlines and tabs with no quote
// handling (STS-B and MRPC text contains bare `"`). Real CSV (Story Cloze, user files) goes through csv.ts,
// which handles quoted fields with commas and newlines and reports row-level errors.
import { parseCsvRows } from './csv.ts';
import { TaskFileError } from './task-types.ts';

export interface Rows {
  /** Each row's fields. */
  rows: string[][];
  /** 1-based source line of each row. */
  lines: number[];
}

/** Tab-separated rows; a trailing newline and empty lines are skipped. */
export function splitTsv(text: string): Rows {
  const rows: string[][] = [];
  const lines: number[] = [];
  text.split('\n').forEach((line, i) => {
    const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (clean.trim() === '') return;
    rows.push(clean.split('\t'));
    lines.push(i + 1);
  });
  return { rows, lines };
}

export function parseCsv(text: string, fileName: string): Rows {
  const { rows, error } = parseCsvRows(text);
  if (error) throw new TaskFileError(fileName, error.row + 1, `CSV: ${error.message}`);
  // The parser counts rows, not lines; with quoted newlines they differ, so rows are numbered as rows.
  return { rows, lines: rows.map((_, i) => i + 1) };
}

/** Every row must have exactly `count` fields; the error names the line and the counts. */
export function requireFieldCount(rows: Rows, count: number, fileName: string, separator: string): void {
  rows.rows.forEach((row, i) => {
    if (row.length !== count) {
      throw new TaskFileError(
        fileName,
        rows.lines[i],
        `expected ${count} ${separator}-separated fields, found ${row.length}`,
      );
    }
  });
}
