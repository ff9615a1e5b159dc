// Task-file parsing on the real GLUE/COPA files in ../shared/data, generated Story Cloze and mapped
// CSV files, and every error path with its line and field.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NeedsMappingError, parseTaskFile } from './parse-task-file.ts';
import { TaskFileError } from './task-types.ts';

const data = (path: string) => readFileSync(resolve('../shared/data', path), 'utf8');
function counts(labels: number[]): Record<number, number> {
  const result: Record<number, number> = {};
  for (const l of labels) result[l] = (result[l] ?? 0) + 1;
  return result;
}

describe('GLUE files', () => {
  it('SST-2 dev: 872 sentences, 428 negative / 444 positive', () => {
    const d = parseTaskFile('dev.tsv', data('classification/sst2/dev.tsv'));
    expect(d.format).toBe('glue-sst2');
    expect(d.family).toBe('classification');
    expect(d.labels?.names).toEqual(['0', '1']);
    expect(d.examples).toHaveLength(872);
    expect(counts(d.examples.map((e) => e.label))).toEqual({ 0: 428, 1: 444 });
    expect(d.examples[0]).toEqual({
      kind: 'text',
      text: "it 's a charming and often affecting journey .",
      label: 1,
      line: 2,
    });
  });

  it('CoLA dev without a header and without a final newline: 1,043 rows (322 / 721)', () => {
    const d = parseTaskFile('dev.tsv', data('classification/cola/dev.tsv'));
    expect(d.format).toBe('glue-cola');
    expect(d.examples).toHaveLength(1043);
    expect(counts(d.examples.map((e) => e.label))).toEqual({ 0: 322, 1: 721 });
    expect(d.examples[0]).toMatchObject({ text: 'The sailors rode the breeze clear of the rocks.', line: 1 });
  });

  it('RTE and SNLI pairs with string labels; MRPC with its BOM; STS-B scores', () => {
    const rte = parseTaskFile('dev.tsv', data('entailment/rte/dev.tsv'));
    expect(rte.family).toBe('entailment');
    expect(rte.labels?.names).toEqual(['entailment', 'not_entailment']);
    expect(counts(rte.examples.map((e) => e.label))).toEqual({ 0: 146, 1: 131 });
    const snli = parseTaskFile('dev.tsv', data('entailment/snli/dev.tsv'));
    expect(snli.labels?.names).toEqual(['contradiction', 'entailment', 'neutral']);
    expect(counts(snli.examples.map((e) => e.label))).toEqual({ 0: 3278, 1: 3329, 2: 3235 });
    const mrpc = parseTaskFile('train.tsv', data('similarity/mrpc/train.tsv'));
    expect(mrpc.format).toBe('glue-mrpc');
    expect(mrpc.family).toBe('similarity');
    expect(counts(mrpc.examples.map((e) => e.label))).toEqual({ 0: 1194, 1: 2474 });
    const stsb = parseTaskFile('dev.tsv', data('similarity/stsb/dev.tsv'));
    expect(stsb.regression).toBe(true);
    expect(stsb.labels).toBeUndefined();
    expect(stsb.examples).toHaveLength(1500);
    expect(stsb.examples[0]).toMatchObject({ a: 'A man with a hard hat is dancing.', label: 5 });
    const mean = stsb.examples.reduce((s, e) => s + e.label, 0) / 1500;
    expect(mean).toBeCloseTo(2.36, 2);
  });

  it('a pair file serves the similarity tab as well as entailment, but text files do not', () => {
    expect(parseTaskFile('dev.tsv', data('entailment/rte/dev.tsv'), { family: 'similarity' }).family).toBe(
      'similarity',
    );
    expect(() => parseTaskFile('dev.tsv', data('classification/sst2/dev.tsv'), { family: 'entailment' })).toThrow(
      /dev\.tsv: holds classification data .* not entailment/,
    );
  });
});

describe('multiple choice files', () => {
  it('COPA JSONL: 100 validation items (55 / 45), the question stated as a connective', () => {
    const d = parseTaskFile('val.jsonl', data('multiple-choice/copa/val.jsonl'));
    expect(d.family).toBe('multiple-choice');
    expect(d.examples).toHaveLength(100);
    expect(counts(d.examples.map((e) => e.label))).toEqual({ 0: 55, 1: 45 });
    expect(d.examples[0]).toEqual({
      kind: 'choice',
      context: 'The man turned on the faucet so',
      choices: ['the toilet filled with water.', 'water flowed from the spout.'],
      label: 1,
      line: 1,
    });
  });

  it('Story Cloze CSV with quoted fields; AnswerRightEnding is 1-based', () => {
    const csv = [
      'InputStoryid,InputSentence1,InputSentence2,InputSentence3,InputSentence4,RandomFifthSentenceQuiz1,RandomFifthSentenceQuiz2,AnswerRightEnding',
      'id1,Ann baked.,"She said, ""yum"".",It cooled.,She ate.,She was full.,She flew away.,1',
      'id2,A.,B.,C.,D.,E1.,E2.,2',
    ].join('\n');
    const d = parseTaskFile('cloze.csv', csv);
    expect(d.format).toBe('story-cloze-csv');
    expect(d.examples.map((e) => e.label)).toEqual([0, 1]);
    expect(d.examples[0]).toMatchObject({
      context: 'Ann baked. She said, "yum". It cooled. She ate.',
      choices: ['She was full.', 'She flew away.'],
    });
    expect(() => parseTaskFile('cloze.csv', csv.replace(/,2$/, ',3'))).toThrow(
      /cloze\.csv, line 3: answer "3" is not a choice number 1\.\.2/,
    );
  });
});

describe('mapped and bad files', () => {
  it('asks for a column mapping for unknown headers, then uses it', () => {
    const tsv = 'review\tstars\ngreat film\tpos\ndull\tneg\n';
    expect(() => parseTaskFile('mine.tsv', tsv)).toThrow(NeedsMappingError);
    try {
      parseTaskFile('mine.csv', 'a,b,c\n1,2,3\n');
    } catch (error) {
      expect((error as NeedsMappingError).columns).toEqual(['a', 'b', 'c']);
    }
    const d = parseTaskFile('mine.tsv', tsv, { mapping: { text: 'review', label: 'stars' } });
    expect(d.labels?.names).toEqual(['neg', 'pos']);
    expect(d.examples.map((e) => e.label)).toEqual([1, 0]);
  });

  it('says what and where for every bad input', () => {
    const cases: [string, string, RegExp][] = [
      ['empty.tsv', '', /empty\.tsv: is empty/],
      ['bin.tsv', 'PK\u0003\u0004\u0000\u0000', /looks binary/],
      ['prose.txt', 'just some prose', /not a TSV, CSV or JSONL/],
      ['short.tsv', 'sentence\tlabel\ngood\t1\nbad\n', /short\.tsv, line 3: expected 2 tab-separated fields, found 1/],
      ['header.tsv', 'sentence\tlabel\n', /has a header but no examples/],
      ['copa.jsonl', '{"premise": "x", "choice1": "a"}', /copa\.jsonl, line 1: field "choice2" is missing/],
      ['copa.jsonl', '{"premise": "x",', /copa\.jsonl, line 1: is not valid JSON/],
      ['scores.tsv', 'index\tsentence1\tsentence2\tscore\n0\ta\tb\thigh\n', /line 2: score "high" is not a number/],
    ];
    for (const [name, text, message] of cases) {
      expect(() => parseTaskFile(name, text)).toThrow(TaskFileError);
      expect(() => parseTaskFile(name, text)).toThrow(message);
    }
  });

  it('refuses dev labels the training file never had, naming the line', () => {
    const train = parseTaskFile('train.tsv', data('entailment/rte/train.tsv'));
    const dev = 'index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\tc\td\tmaybe\n';
    expect(() => parseTaskFile('dev.tsv', dev, { labels: train.labels })).toThrow(
      /dev\.tsv, line 3: label "maybe" is not one of the training labels \("entailment", "not_entailment"\)/,
    );
  });
});
