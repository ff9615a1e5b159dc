// Comma-separated rows (RFC 4180 quoting) for Story Cloze and user CSV files: fields in double quotes may hold
// commas, newlines and "" for a quote; a quote inside an unquoted field is text. Our own parser rather than
// papaparse, which bundles an XMLHttpRequest loader, a FileReader streamer and a blob: worker that the app
// never uses; csv.test.ts checks that both read the same rows and refuse the same files. Strict: the first
// malformed quote ends parsing with its row, as papaparse's first error would.

export interface CsvError {
  /** papaparse's code for the same fault. */
  code: 'MissingQuotes' | 'InvalidQuotes';
  message: string;
  /** 0-based index of the row it is in, empty rows counted. */
  row: number;
}

export interface CsvResult {
  /** Every row's fields; rows whose fields are all whitespace are left out. */
  rows: string[][];
  error?: CsvError;
}

const QUOTE = '"';
const DELIMITER = ',';
const SPACE = /\s/;

/** The file's line break, as papaparse guesses it: quoted text aside, '\n' unless '\r' comes first and mostly alone. */
function lineBreak(text: string): '\n' | '\r\n' | '\r' {
  const bare = text.slice(0, 2 ** 20).replace(/"[\s\S]*?"/g, '');
  const byCr = bare.split('\r');
  const byLf = bare.split('\n');
  if (byCr.length === 1 || (byLf.length > 1 && byLf[0]!.length < byCr[0]!.length)) return '\n';
  const crlf = byCr.filter((part) => part.startsWith('\n')).length;
  return crlf >= byCr.length / 2 ? '\r\n' : '\r';
}

const isBlank = (row: string[]) => row.join('').trim() === '';

/** The rows of a CSV text (a leading byte-order mark is dropped), or the rows before its first error and the error. */
export function parseCsvRows(csv: string): CsvResult {
  const text = csv.charCodeAt(0) === 0xfeff ? csv.slice(1) : csv;
  const newline = lineBreak(text);
  const rows: string[][] = [];
  let parsed = 0; // rows ended so far, blank ones included
  let row: string[] = [];
  const endRow = () => {
    if (!isBlank(row)) rows.push(row);
    row = [];
    parsed++;
  };
  const fail = (code: CsvError['code'], message: string): CsvResult => ({
    rows,
    error: { code, message, row: parsed },
  });
  let i = 0;
  let delimiter = text.indexOf(DELIMITER);
  let lineEnd = text.indexOf(newline);
  for (;;) {
    if (text[i] === QUOTE) {
      // A quoted field: up to the quote not doubled, then only spaces before the delimiter or line break.
      let value = '';
      let from = i + 1;
      let close: number;
      for (;;) {
        close = text.indexOf(QUOTE, from);
        if (close < 0) return fail('MissingQuotes', 'Quoted field unterminated');
        value += text.slice(from, close);
        if (text[close + 1] !== QUOTE) break;
        value += QUOTE;
        from = close + 2;
      }
      row.push(value);
      if (close === text.length - 1) {
        endRow();
        return { rows };
      }
      let next = close + 1;
      while (next < text.length && SPACE.test(text[next]!) && !text.startsWith(newline, next)) next++;
      if (text[next] === DELIMITER) {
        i = next + 1;
      } else if (text.startsWith(newline, next)) {
        endRow();
        i = next + newline.length;
      } else {
        return fail('InvalidQuotes', 'Trailing quote on quoted field is malformed');
      }
      continue;
    }
    // An unquoted field: up to the delimiter or the line break, whichever comes first.
    // Each search result is kept until the cursor passes it, so a long line is not scanned once per field.
    if (delimiter >= 0 && delimiter < i) delimiter = text.indexOf(DELIMITER, i);
    if (lineEnd >= 0 && lineEnd < i) lineEnd = text.indexOf(newline, i);
    if (delimiter >= 0 && (lineEnd < 0 || delimiter < lineEnd)) {
      row.push(text.slice(i, delimiter));
      i = delimiter + 1;
    } else if (lineEnd >= 0) {
      row.push(text.slice(i, lineEnd));
      endRow();
      i = lineEnd + newline.length;
    } else {
      row.push(text.slice(i));
      endRow();
      return { rows };
    }
  }
}
