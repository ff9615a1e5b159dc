// The task tabs' files on the engine side: each tab (family) holds a training and a dev file. A file is
// checked as bytes first (size, NUL bytes, strict UTF-8 with the byte offset and line), then parsed with
// format detection; a dev file is read with the training file's labels. A refused file changes nothing: the
// tab keeps the files it had. A new training file re-checks the dev file, which keeps its text and carries a
// `problem` until it fits again. Summaries (label mapping, first example) and previews go to the UI.
import { decodeTaskFile } from '../../data/tasks/decode-task-file.ts';
import { type ColumnMapping, parseTaskFile } from '../../data/tasks/parse-task-file.ts';
import type { LabelMap, TaskDataset, TaskExample, TaskFamily } from '../../data/tasks/task-types.ts';
import type { TaskFileRole, TaskFileSummary } from '../protocol.ts';

export interface LoadedTaskFile {
  name: string;
  bytes: number;
  text: string;
  mapping?: ColumnMapping;
  dataset: TaskDataset;
  /** Set when a dev file does not fit the current training file. */
  problem?: string;
}

export interface TaskFilePair {
  train?: LoadedTaskFile;
  dev?: LoadedTaskFile;
}

/** The readable fields of an example, by name. */
export function exampleFields(example: TaskExample): Record<string, string> {
  if (example.kind === 'text') return { text: example.text };
  if (example.kind === 'pair') return { a: example.a, b: example.b };
  const fields: Record<string, string> = { context: example.context };
  example.choices.forEach((choice, k) => {
    fields[`choice ${k + 1}`] = choice;
  });
  return fields;
}

function labelText(dataset: TaskDataset, example: TaskExample): string {
  if (dataset.regression) return String(example.label);
  if (example.kind === 'choice') return `choice ${example.label + 1}`;
  return dataset.labels?.names[example.label] ?? String(example.label);
}

export function summarise(family: TaskFamily, role: TaskFileRole, file: LoadedTaskFile): TaskFileSummary {
  const { dataset } = file;
  const first = dataset.examples[0]!;
  const summary: TaskFileSummary = {
    family,
    role,
    name: file.name,
    bytes: file.bytes,
    format: dataset.format,
    description: dataset.description,
    columns: dataset.columns,
    regression: dataset.regression,
    rows: dataset.examples.length,
    labels: [],
    example: { line: first.line, fields: exampleFields(first), label: labelText(dataset, first) },
  };
  if (dataset.regression) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const e of dataset.examples) {
      lo = Math.min(lo, e.label);
      hi = Math.max(hi, e.label);
    }
    summary.scoreRange = [lo, hi];
  } else {
    const counts = new Map<number, number>();
    for (const e of dataset.examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
    const names =
      family === 'multiple-choice'
        ? Array.from({ length: Math.max(0, ...[...counts.keys()].map((k) => k + 1)) }, (_, k) => `choice ${k + 1}`)
        : (dataset.labels?.names ?? []);
    summary.labels = names.map((name, id) => ({ name, id, count: counts.get(id) ?? 0 }));
  }
  if (file.mapping) summary.mapping = file.mapping;
  if (file.problem) summary.problem = file.problem;
  return summary;
}

/** The files of the four task tabs. */
export class TaskFiles {
  private readonly byFamily = new Map<TaskFamily, TaskFilePair>();

  get(family: TaskFamily): TaskFilePair {
    return this.byFamily.get(family) ?? {};
  }

  /**
   * Reads a file into a tab. Throws (TaskFileError, NeedsMappingError) without changing anything when it is
   * refused. Returns the files whose summaries changed: the new one, and a dev file re-checked against a new
   * training file.
   */
  load(
    family: TaskFamily,
    role: TaskFileRole,
    name: string,
    bytes: Uint8Array,
    mapping?: ColumnMapping,
  ): { role: TaskFileRole; file: LoadedTaskFile }[] {
    const text = decodeTaskFile(name, bytes);
    const pair = { ...this.get(family) };
    const parse = (labels?: LabelMap) => parseTaskFile(name, text, { family, mapping, labels });
    const changed: { role: TaskFileRole; file: LoadedTaskFile }[] = [];
    if (role === 'train') {
      const dataset = parse();
      pair.train = { name, bytes: bytes.length, text, mapping, dataset };
      changed.push({ role, file: pair.train });
      if (pair.dev) {
        pair.dev = recheckDev(family, pair.dev, dataset);
        changed.push({ role: 'dev', file: pair.dev });
      }
    } else {
      const train = pair.train?.dataset;
      const dataset = parse(train && !train.regression ? train.labels : undefined);
      pair.dev = { name, bytes: bytes.length, text, mapping, dataset };
      changed.push({ role, file: pair.dev });
    }
    this.byFamily.set(family, pair);
    return changed;
  }

  /** Replaces a tab's files (a kept model's, read elsewhere). */
  adopt(family: TaskFamily, pair: TaskFilePair): void {
    this.byFamily.set(family, { ...pair });
  }

  /** Both files, ready to train on; an error naming what is missing or wrong otherwise. */
  ready(family: TaskFamily): { train: TaskDataset; dev: TaskDataset } {
    const { train, dev } = this.get(family);
    if (!train) throw new Error('Add a training file first.');
    if (!dev) throw new Error('Add a dev file: the run is evaluated on it.');
    if (dev.problem) throw new Error(dev.problem);
    return { train: train.dataset, dev: dev.dataset };
  }
}

/** Re-reads a dev file with a new training file's labels; keeps it with a problem when it no longer fits. */
function recheckDev(family: TaskFamily, dev: LoadedTaskFile, train: TaskDataset): LoadedTaskFile {
  try {
    const labels = train.regression ? undefined : train.labels;
    const dataset = parseTaskFile(dev.name, dev.text, { family, mapping: dev.mapping, labels });
    if (dataset.regression !== train.regression) {
      const kind = (d: TaskDataset) => (d.regression ? 'scores' : 'classes');
      throw new Error(`${dev.name} has ${kind(dataset)}, ${train.fileName} has ${kind(train)}.`);
    }
    return { ...dev, dataset, problem: undefined };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...dev, problem: `${message} — choose a dev file that fits ${train.fileName}.` };
  }
}
