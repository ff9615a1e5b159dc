// Reading a labelled task file with automatic format detection: GLUE TSVs (SST-2, CoLA without a
// header, RTE/QNLI/SNLI/MNLI-style pairs, MRPC with its BOM, STS-B scores), COPA JSONL, the Story Cloze
// CSV the paper uses, and any CSV/TSV with a user-chosen column mapping. Errors name the line and field.
import { parseCsv, type Rows, requireFieldCount, splitTsv } from './delimited.ts';
import { buildLabelMap, labelId, parseScore } from './label-map.ts';
import {
  type LabelMap,
  type TaskDataset,
  type TaskExample,
  type TaskFamily,
  TaskFileError,
  type TaskFormat,
} from './task-types.ts';

/** For files whose columns are not recognised: which header names hold what. */
export interface ColumnMapping {
  text?: string;
  a?: string;
  b?: string;
  context?: string;
  choices?: string[];
  label: string;
  regression?: boolean;
}

export interface ParseOptions {
  /** The tab's family: pair files serve entailment or similarity; absent = the format's natural family. */
  family?: TaskFamily;
  /** The training file's labels, when parsing a dev file. */
  labels?: LabelMap;
  mapping?: ColumnMapping;
}

/** Thrown when a delimited file has a header we do not recognise: the UI asks for a mapping. */
export class NeedsMappingError extends TaskFileError {
  constructor(
    fileName: string,
    readonly columns: string[],
  ) {
    super(
      fileName,
      1,
      `unrecognised columns (${columns.join(', ')}): choose which column holds the text and the label`,
    );
    this.name = 'NeedsMappingError';
  }
}

/** 64 MiB of text is far beyond any GLUE split; larger files are refused before parsing. */
export const MAX_TASK_FILE_BYTES = 64 * 1024 * 1024;

const PAIR_FAMILIES: TaskFamily[] = ['entailment', 'similarity'];
const STORY_CLOZE_HEADER = [
  'InputStoryid',
  'InputSentence1',
  'InputSentence2',
  'InputSentence3',
  'InputSentence4',
  'RandomFifthSentenceQuiz1',
  'RandomFifthSentenceQuiz2',
  'AnswerRightEnding',
];

export function parseTaskFile(fileName: string, rawText: string, options: ParseOptions = {}): TaskDataset {
  if (rawText.length > MAX_TASK_FILE_BYTES) {
    throw new TaskFileError(fileName, undefined, `is larger than ${MAX_TASK_FILE_BYTES / 2 ** 20} MiB`);
  }
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText; // MRPC starts with a BOM
  if (text.trim() === '') throw new TaskFileError(fileName, undefined, 'is empty');
  if (text.includes('\0')) throw new TaskFileError(fileName, undefined, 'looks binary (contains NUL bytes)');
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined).trim();

  let dataset: TaskDataset;
  if (firstLine.startsWith('{')) dataset = parseCopa(fileName, text, options);
  else if (firstLine.split(',')[0] === 'InputStoryid') dataset = parseStoryCloze(fileName, text, options);
  else if (firstLine.includes('\t') || options.mapping) dataset = parseTsvFamily(fileName, text, options);
  else if (firstLine.includes(',')) throw new NeedsMappingError(fileName, parseCsv(firstLine, fileName).rows[0] ?? []);
  else throw new TaskFileError(fileName, 1, 'is not a TSV, CSV or JSONL task file (no tabs, commas or JSON objects)');

  if (options.family && options.family !== dataset.family) {
    const pairs = PAIR_FAMILIES.includes(options.family) && PAIR_FAMILIES.includes(dataset.family);
    if (!pairs) {
      throw new TaskFileError(
        fileName,
        undefined,
        `holds ${dataset.family} data (${dataset.description}), not ${options.family}`,
      );
    }
    dataset = { ...dataset, family: options.family };
  }
  if (dataset.examples.length === 0) throw new TaskFileError(fileName, undefined, 'has a header but no examples');
  return dataset;
}

function parseTsvFamily(fileName: string, text: string, options: ParseOptions): TaskDataset {
  // A mapped file may be a CSV (no tab on its first line): read it as one, checking its field counts here.
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined);
  const csv = Boolean(options.mapping) && !firstLine.includes('\t') && firstLine.includes(',');
  const rows = csv ? parseCsv(text, fileName) : splitTsv(text);
  const header = rows.rows[0]!;
  const has = (...names: string[]) => names.every((n) => header.includes(n));
  const body: Rows = { rows: rows.rows.slice(1), lines: rows.lines.slice(1) };
  if (csv) requireFieldCount(body, header.length, fileName, 'comma');

  if (options.mapping) return mapped(fileName, header, body, options, 'glue-pair');
  if (header.length === 2 && has('sentence', 'label')) {
    return classify(
      fileName,
      'glue-sst2',
      'single sentences: sentence, label',
      body,
      header,
      'sentence',
      'label',
      options,
    );
  }
  if (header.length === 4 && /^[01]$/.test(header[1] ?? '') && !has('label')) {
    // CoLA has no header: source, label, author mark, sentence.
    requireFieldCount(rows, 4, fileName, 'tab');
    return build(fileName, 'glue-cola', 'single sentences, no header: source, label, mark, sentence', options, rows, {
      family: 'classification',
      columns: { text: 'column 4', label: 'column 2' },
      label: (r) => r[1]!,
      example: (r, label, line) => ({ kind: 'text', text: r[3]!, label, line }),
    });
  }
  if (has('Quality', '#1 String', '#2 String')) {
    return pair(
      fileName,
      'glue-mrpc',
      'sentence pairs: Quality, #1 String, #2 String',
      'similarity',
      body,
      header,
      ['#1 String', '#2 String', 'Quality'],
      options,
    );
  }
  if (has('sentence1', 'sentence2', 'score')) {
    return pair(
      fileName,
      'glue-stsb',
      'sentence pairs: sentence1, sentence2, score (regression)',
      'similarity',
      body,
      header,
      ['sentence1', 'sentence2', 'score'],
      { ...options, mapping: { label: 'score', regression: true } },
    );
  }
  const labelColumn = header.includes('label') ? 'label' : header.includes('gold_label') ? 'gold_label' : undefined;
  if (has('sentence1', 'sentence2') && labelColumn) {
    return pair(
      fileName,
      'glue-pair',
      `sentence pairs: sentence1, sentence2, ${labelColumn}`,
      'entailment',
      body,
      header,
      ['sentence1', 'sentence2', labelColumn],
      options,
    );
  }
  if (has('question', 'sentence', 'label')) {
    return pair(
      fileName,
      'glue-pair',
      'question and sentence pairs: question, sentence, label',
      'entailment',
      body,
      header,
      ['question', 'sentence', 'label'],
      options,
    );
  }
  throw new NeedsMappingError(fileName, header);
}

interface BuildSpec {
  family: TaskFamily;
  columns: Record<string, string>;
  regression?: boolean;
  label: (row: string[]) => string;
  example: (row: string[], label: number, line: number) => TaskExample;
}

function build(
  fileName: string,
  format: TaskFormat,
  description: string,
  options: ParseOptions,
  rows: Rows,
  spec: BuildSpec,
): TaskDataset {
  const rawLabels = rows.rows.map(spec.label);
  const labels = spec.regression ? undefined : (options.labels ?? buildLabelMap(rawLabels));
  const examples = rows.rows.map((row, i) => {
    const line = rows.lines[i]!;
    const raw = rawLabels[i]!;
    const label = labels ? labelId(labels, raw, fileName, line) : parseScore(raw, fileName, line);
    return spec.example(row, label, line);
  });
  return {
    fileName,
    format,
    description,
    family: spec.family,
    regression: spec.regression ?? false,
    labels,
    examples,
    columns: spec.columns,
  };
}

function columnIndex(header: string[], name: string, fileName: string): number {
  const index = header.indexOf(name);
  if (index < 0) throw new TaskFileError(fileName, 1, `has no column "${name}" (columns: ${header.join(', ')})`);
  return index;
}

function checkRows(fileName: string, header: string[], body: Rows): void {
  requireFieldCount(body, header.length, fileName, 'tab');
}

function classify(
  fileName: string,
  format: TaskFormat,
  description: string,
  body: Rows,
  header: string[],
  textColumn: string,
  labelColumn: string,
  options: ParseOptions,
): TaskDataset {
  checkRows(fileName, header, body);
  const t = columnIndex(header, textColumn, fileName);
  const l = columnIndex(header, labelColumn, fileName);
  return build(fileName, format, description, options, body, {
    family: 'classification',
    columns: { text: textColumn, label: labelColumn },
    regression: options.mapping?.regression,
    label: (r) => r[l]!,
    example: (r, label, line) => ({ kind: 'text', text: r[t]!.trim(), label, line }),
  });
}

function pair(
  fileName: string,
  format: TaskFormat,
  description: string,
  family: TaskFamily,
  body: Rows,
  header: string[],
  [aColumn, bColumn, labelColumn]: [string, string, string],
  options: ParseOptions,
): TaskDataset {
  checkRows(fileName, header, body);
  const a = columnIndex(header, aColumn, fileName);
  const b = columnIndex(header, bColumn, fileName);
  const l = columnIndex(header, labelColumn, fileName);
  return build(fileName, format, description, options, body, {
    family,
    columns: { a: aColumn, b: bColumn, label: labelColumn },
    regression: options.mapping?.regression,
    label: (r) => r[l]!,
    example: (r, label, line) => ({ kind: 'pair', a: r[a]!.trim(), b: r[b]!.trim(), label, line }),
  });
}

function mapped(
  fileName: string,
  header: string[],
  body: Rows,
  options: ParseOptions,
  format: TaskFormat,
): TaskDataset {
  const m = options.mapping!;
  const description = `mapped columns: ${Object.entries(m)
    .filter(([k]) => k !== 'regression')
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ')}`;
  if (m.text) return classify(fileName, 'mapped-columns', description, body, header, m.text, m.label, options);
  if (m.a && m.b) {
    return pair(
      fileName,
      'mapped-columns',
      description,
      options.family ?? 'entailment',
      body,
      header,
      [m.a, m.b, m.label],
      options,
    );
  }
  if (m.context && m.choices?.length) {
    checkRows(fileName, header, body);
    const c = columnIndex(header, m.context, fileName);
    const choices = m.choices.map((name) => columnIndex(header, name, fileName));
    const l = columnIndex(header, m.label, fileName);
    return build(fileName, 'mapped-columns', description, { ...options, labels: undefined }, body, {
      family: 'multiple-choice',
      columns: { context: m.context, choices: m.choices.join(', '), label: m.label },
      label: (r) => r[l]!,
      example: (r, _label, line) => ({
        kind: 'choice',
        context: r[c]!,
        choices: choices.map((i) => r[i]!),
        label: choiceIndex(r[l]!, choices.length, fileName, line, 0),
        line,
      }),
    });
  }
  throw new TaskFileError(fileName, undefined, `mapping needs text, a + b, or context + choices (and ${format} label)`);
}

function choiceIndex(raw: string, count: number, fileName: string, line: number, base: 0 | 1): number {
  const value = Number(raw) - base;
  if (!Number.isInteger(value) || value < 0 || value >= count) {
    throw new TaskFileError(
      fileName,
      line,
      `answer ${JSON.stringify(raw)} is not a choice number ${base}..${count - 1 + base}`,
    );
  }
  return value;
}

/** COPA (SuperGLUE JSONL): the premise and a connective that states the question, two choices. */
function parseCopa(fileName: string, text: string, options: ParseOptions): TaskDataset {
  const examples: TaskExample[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw new TaskFileError(fileName, line, `is not valid JSON (${(error as Error).message})`);
    }
    for (const key of ['premise', 'choice1', 'choice2', 'question'] as const) {
      if (typeof row[key] !== 'string')
        throw new TaskFileError(fileName, line, `field "${key}" is missing or not text`);
    }
    if (row.question !== 'cause' && row.question !== 'effect') {
      throw new TaskFileError(
        fileName,
        line,
        `question must be "cause" or "effect", not ${JSON.stringify(row.question)}`,
      );
    }
    // COPA asks for the cause or the effect; stating it as a connective lets a LM read the pair as text.
    const premise = (row.premise as string).replace(/\.\s*$/, '');
    const connective = row.question === 'cause' ? 'because' : 'so';
    examples.push({
      kind: 'choice',
      context: `${premise} ${connective}`,
      choices: [row.choice1 as string, row.choice2 as string].map(lowerFirst),
      label: choiceIndex(String(row.label), 2, fileName, line, 0),
      line,
    });
  });
  return {
    fileName,
    format: 'copa-jsonl',
    description: 'COPA JSONL: premise, choice1, choice2, question (cause/effect), label',
    family: 'multiple-choice',
    regression: false,
    labels: options.labels ?? { names: ['choice1', 'choice2'] },
    examples,
    columns: { context: 'premise + because/so', choices: 'choice1, choice2', label: 'label' },
  };
}

function lowerFirst(s: string): string {
  return s.length > 1 && s[1] !== s[1]!.toUpperCase() ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** Story Cloze (ROCStories): four sentences of context, two candidate endings, AnswerRightEnding 1 or 2. */
function parseStoryCloze(fileName: string, text: string, options: ParseOptions): TaskDataset {
  const rows = parseCsv(text, fileName);
  const header = rows.rows[0]!;
  const missing = STORY_CLOZE_HEADER.filter((h) => !header.includes(h));
  if (missing.length) throw new TaskFileError(fileName, 1, `Story Cloze header lacks ${missing.join(', ')}`);
  const body: Rows = { rows: rows.rows.slice(1), lines: rows.lines.slice(1) };
  requireFieldCount(body, header.length, fileName, 'comma');
  const at = (name: string) => header.indexOf(name);
  const examples = body.rows.map(
    (r, i): TaskExample => ({
      kind: 'choice',
      context: [1, 2, 3, 4].map((k) => r[at(`InputSentence${k}`)]!).join(' '),
      choices: [r[at('RandomFifthSentenceQuiz1')]!, r[at('RandomFifthSentenceQuiz2')]!],
      label: choiceIndex(r[at('AnswerRightEnding')]!, 2, fileName, body.lines[i]!, 1),
      line: body.lines[i]!,
    }),
  );
  return {
    fileName,
    format: 'story-cloze-csv',
    description: 'Story Cloze CSV: InputSentence1-4, RandomFifthSentenceQuiz1/2, AnswerRightEnding',
    family: 'multiple-choice',
    regression: false,
    labels: options.labels ?? { names: ['ending 1', 'ending 2'] },
    examples,
    columns: {
      context: 'InputSentence1-4',
      choices: 'RandomFifthSentenceQuiz1, RandomFifthSentenceQuiz2',
      label: 'AnswerRightEnding',
    },
  };
}
