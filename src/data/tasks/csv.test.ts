// Our CSV reader against papaparse (a test-only dependency now): the same rows for well-formed files of any
// quoting, line breaks and blank lines, and the same verdict (first error, its row) for arbitrary text made of
// the characters that matter; plus the faults by name.
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { parseCsvRows } from './csv.ts';

/** What papaparse makes of a text with the options the app used with it. */
function papa(text: string): { rows: string[][]; error?: { code: string; row: number } } {
  const result = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', delimiter: ',' });
  const first = result.errors[0];
  return first ? { rows: result.data, error: { code: first.code, row: first.row ?? -1 } } : { rows: result.data };
}

const field = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '\t'), maxLength: 8 });

/** A field as a writer would put it: quoted when it must be (or by chance), quotes doubled. */
const written = fc.tuple(field, fc.boolean()).map(([value, quote]) => {
  const needs = /[",\r\n]/.test(value) || value.startsWith(' ');
  return needs || quote ? `"${value.replaceAll('"', '""')}"` : value;
});

describe('CSV rows', () => {
  it('reads well-formed files as papaparse does', () => {
    const file = fc.record({
      rows: fc.array(fc.array(written, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
      newline: fc.constantFrom('\n', '\r\n'),
      trailing: fc.boolean(),
      bom: fc.boolean(),
    });
    fc.assert(
      fc.property(file, ({ rows, newline, trailing, bom }) => {
        const text = `${bom ? '\ufeff' : ''}${rows.map((r) => r.join(',')).join(newline)}${trailing ? newline : ''}`;
        const ours = parseCsvRows(text);
        expect(ours.error).toBeUndefined();
        expect(ours.rows).toEqual(papa(text).rows);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses and accepts the same arbitrary texts, at the same row', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r', '\r\n', '\t'), maxLength: 24 });
    fc.assert(
      fc.property(text, (input) => {
        const ours = parseCsvRows(input);
        const theirs = papa(input);
        if (theirs.error) {
          expect(ours.error).toMatchObject(theirs.error);
        } else {
          expect(ours.error).toBeUndefined();
          expect(ours.rows).toEqual(theirs.rows);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('names the fault and its row', () => {
    expect(parseCsvRows('a,b\n"c,d\n')).toMatchObject({
      rows: [['a', 'b']],
      error: { code: 'MissingQuotes', message: 'Quoted field unterminated', row: 1 },
    });
    expect(parseCsvRows('a\n\n"b"x,c\n').error).toEqual({
      code: 'InvalidQuotes',
      message: 'Trailing quote on quoted field is malformed',
      row: 2,
    });
    expect(parseCsvRows('"a, ""b""\nc",d\ne"f,g  \n').rows).toEqual([
      ['a, "b"\nc', 'd'],
      ['e"f', 'g  '],
    ]);
  });
});
