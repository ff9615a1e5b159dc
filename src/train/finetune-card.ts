// How a fine-tuned checkpoint describes itself to people (its model card): the task family, the head the
// classifier is, the input transformation that turns an example into token sequences (the paper's Figure 1,
// with our special tokens) and the labels. Read from the checkpoint's training state and config.json's
// id2label, so a folder exported by the app and one written by the CLI say the same thing.
import type { TaskFamily } from '../data/tasks/task-types.ts';
import { TASK_SPECIAL_TOKENS } from '../model/task-inputs.ts';

const [START, DELIMITER, EXTRACT] = TASK_SPECIAL_TOKENS;

const FAMILIES: readonly TaskFamily[] = ['classification', 'entailment', 'similarity', 'multiple-choice'];

export function isTaskFamily(value: unknown): value is TaskFamily {
  return FAMILIES.includes(value as TaskFamily);
}

/** The input transformation of a family, in words with its special tokens. */
export function inputTransformation(family: TaskFamily): string {
  switch (family) {
    case 'classification':
      return `${START} text ${EXTRACT}`;
    case 'entailment':
      return `${START} premise ${DELIMITER} hypothesis ${EXTRACT}`;
    case 'similarity':
      return `${START} A ${DELIMITER} B ${EXTRACT} and ${START} B ${DELIMITER} A ${EXTRACT}, their final states at ${EXTRACT} added`;
    case 'multiple-choice':
      return `${START} context ${DELIMITER} choice ${EXTRACT}, once per choice`;
  }
}

/** The head on top of the transformer, in words. */
export function headDescription(family: TaskFamily, regression: boolean, outputs: number): string {
  if (family === 'multiple-choice') {
    return `a linear layer scoring each choice's final state at ${EXTRACT}, softmax over the choices`;
  }
  if (regression) return `a linear layer on the final state at ${EXTRACT}: one similarity score`;
  return `a linear layer on the final state at ${EXTRACT}: ${outputs} classes, softmax`;
}

export interface FinetuneCardFacts {
  task: string;
  head: string;
  inputTransformation: string;
  labels?: string[];
}

/**
 * The model card's fine-tuning facts from a checkpoint's notes (family, regression, numLabels) and its labels;
 * undefined when the notes do not name a task family (a pre-training checkpoint).
 */
export function finetuneCardFacts(
  notes: Record<string, string | number>,
  labels: readonly string[] | undefined,
): FinetuneCardFacts | undefined {
  const { family } = notes;
  if (!isTaskFamily(family)) return undefined;
  const regression = Number(notes.regression) === 1;
  const outputs = Number(notes.numLabels);
  const train = typeof notes.train === 'string' ? ` on ${notes.train}` : '';
  const facts: FinetuneCardFacts = {
    task: `${family}${train}`,
    head: headDescription(family, regression, outputs),
    inputTransformation: inputTransformation(family),
  };
  if (family === 'multiple-choice') facts.labels = [`the right choice among ${outputs}`];
  else if (regression) facts.labels = ['a similarity score'];
  else if (labels?.length) facts.labels = [...labels];
  return facts;
}
