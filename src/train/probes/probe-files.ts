// Probe sets from files, in the task tabs' formats: a text-classification file in SST-2 form is a sentiment
// probe (its positive label: "1", "positive" or "pos"), a CoLA file an acceptability probe ("1" acceptable),
// COPA JSONL or Story Cloze CSV a multiple-choice probe, and a Winograd JSONL file, one item per line:
//   {"sentence": "Ada thanked Dev because _ had helped.", "candidates": ["Ada", "Dev"], "answer": 1}
// Bad files get the task files' errors (what and where: the file, the line, the field).
import { decodeTaskFile } from '../../data/tasks/decode-task-file.ts';
import { parseTaskFile } from '../../data/tasks/parse-task-file.ts';
import { TaskFileError } from '../../data/tasks/task-types.ts';
import type { ProbeSet, WinogradItem } from './probe-sets.ts';
import { splitAtBlank } from './zero-shot.ts';

const POSITIVE = new Set(['1', 'positive', 'pos']);

function isWinograd(text: string): boolean {
  const first = text.split('\n', 1)[0]!.trim();
  return first.startsWith('{') && first.includes('"sentence"');
}

function parseWinograd(name: string, text: string): WinogradItem[] {
  const items: WinogradItem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TaskFileError(name, i + 1, `is not JSON (${(error as Error).message})`);
    }
    const v = value as { sentence?: unknown; candidates?: unknown; answer?: unknown };
    const candidates = Array.isArray(v.candidates) ? v.candidates : [];
    if (typeof v.sentence !== 'string' || candidates.length < 2 || !candidates.every((c) => typeof c === 'string')) {
      throw new TaskFileError(name, i + 1, 'needs "sentence" (with one _) and "candidates" (two or more strings)');
    }
    if (!Number.isInteger(v.answer) || (v.answer as number) < 0 || (v.answer as number) >= candidates.length) {
      throw new TaskFileError(name, i + 1, `"answer" must be the index of a candidate (0 to ${candidates.length - 1})`);
    }
    try {
      splitAtBlank(v.sentence);
    } catch (error) {
      throw new TaskFileError(name, i + 1, (error as Error).message);
    }
    items.push({ sentence: v.sentence, candidates: candidates as string[], answer: v.answer as number });
  });
  if (!items.length) throw new TaskFileError(name, undefined, 'has no items');
  return items;
}

/** The probe set a file holds, or an error naming the file, the line and what is wrong. */
export function parseProbeFile(name: string, bytes: Uint8Array): ProbeSet {
  const text = decodeTaskFile(name, bytes);
  if (isWinograd(text)) return { kind: 'winograd', name, items: parseWinograd(name, text) };
  const data = parseTaskFile(name, text);
  const names = data.labels?.names ?? [];
  if (data.format === 'glue-cola') {
    const items = data.examples.map((e) => ({
      text: e.kind === 'text' ? e.text : '',
      acceptable: names[e.label] === '1',
    }));
    return { kind: 'acceptability', name, items };
  }
  if (data.family === 'classification' && !data.regression && names.length === 2) {
    const positive = names.findIndex((n) => POSITIVE.has(n.toLowerCase()));
    if (positive < 0) {
      throw new TaskFileError(
        name,
        undefined,
        `has labels ${names.join(', ')}: a sentiment probe needs 1/0 or positive/negative`,
      );
    }
    const items = data.examples.map((e) => ({ text: e.kind === 'text' ? e.text : '', positive: e.label === positive }));
    return { kind: 'sentiment', name, items };
  }
  if (data.family === 'multiple-choice') {
    const items = data.examples.map((e) =>
      e.kind === 'choice'
        ? { context: e.context, choices: e.choices, answer: e.label }
        : { context: '', choices: [], answer: 0 },
    );
    return { kind: 'choice', name, items };
  }
  throw new TaskFileError(
    name,
    undefined,
    `holds ${data.family} data (${data.description}): a probe set is sentiment (SST-2 form), acceptability (CoLA form), ` +
      'multiple choice (COPA JSONL, Story Cloze CSV) or Winograd JSONL',
  );
}
