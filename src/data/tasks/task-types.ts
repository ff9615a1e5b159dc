// The shapes of labelled task data, whatever file it came from. The four families are the paper's
// (§3.3): each has its own input transformation in src/model/task-inputs.ts.

export const TASK_FAMILIES = ['classification', 'entailment', 'similarity', 'multiple-choice'] as const;
export type TaskFamily = (typeof TASK_FAMILIES)[number];

export interface TextExample {
  kind: 'text';
  text: string;
  /** Class id (from the label map), or the score for regression. */
  label: number;
  /** 1-based line (or row) in the source file, for messages. */
  line: number;
}

export interface PairExample {
  kind: 'pair';
  a: string;
  b: string;
  label: number;
  line: number;
}

export interface ChoiceExample {
  kind: 'choice';
  context: string;
  choices: string[];
  /** Index of the right choice. */
  label: number;
  line: number;
}

export type TaskExample = TextExample | PairExample | ChoiceExample;

export type TaskFormat =
  | 'glue-sst2'
  | 'glue-cola'
  | 'glue-pair'
  | 'glue-mrpc'
  | 'glue-stsb'
  | 'copa-jsonl'
  | 'story-cloze-csv'
  | 'mapped-columns';

/** Maps raw label strings to class ids; regression tasks have no map. */
export interface LabelMap {
  names: string[];
}

export interface TaskDataset {
  fileName: string;
  format: TaskFormat;
  /** A one-line description of what was detected, shown to the user. */
  description: string;
  family: TaskFamily;
  regression: boolean;
  labels?: LabelMap;
  examples: TaskExample[];
  /** Which column fed which field, for the preview. */
  columns: Record<string, string>;
}

export class TaskFileError extends Error {
  constructor(
    readonly fileName: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(line === undefined ? `${fileName}: ${detail}` : `${fileName}, line ${line}: ${detail}`);
    this.name = 'TaskFileError';
  }
}
