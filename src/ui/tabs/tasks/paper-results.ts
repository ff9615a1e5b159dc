// The paper's reported numbers for the dataset a task file holds (Radford et al. 2018, Tables 2–5), named
// only when the file is recognisably that dataset (its file name, or a public split's exact size in the
// dataset's own layout), never from the columns alone: any `sentence, label` file has SST-2's columns. Table 5 (ablations) gives the full model, "w/o pre-training"
// and "w/o aux LM" for the GLUE sets; Tables 2–3 give the full model only for SNLI, SciTail, Story Cloze, RACE.
import type { TaskFamily, TaskFormat } from '../../../data/tasks/task-types.ts';
import type { TaskFileSummary } from '../../../engine/protocol.ts';
import type { TaskMetricName } from '../../../train/task-metrics.ts';

export interface PaperResult {
  dataset: string;
  /** The paper's metric for it (what the dev metric is compared with). */
  metric: TaskMetricName;
  metricLabel: string;
  /** Transformer w/ aux LM (full), percent (Matthews and Pearson × 100). */
  full: number;
  /** Transformer w/o pre-training (Table 5). */
  scratch?: number;
  /** Transformer w/o aux LM (Table 5). */
  noAux?: number;
  source: string;
}

const TABLE5 = 'Table 5';
const glue = (
  dataset: string,
  metric: TaskMetricName,
  metricLabel: string,
  full: number,
  scratch: number,
  noAux: number,
): PaperResult => ({ dataset, metric, metricLabel, full, scratch, noAux, source: TABLE5 });

export const PAPER_RESULTS = {
  cola: glue('CoLA', 'mcc', 'Matthews corr.', 45.4, 18.9, 47.9),
  sst2: glue('SST-2', 'accuracy', 'accuracy', 91.3, 84.0, 92.0),
  mrpc: glue('MRPC', 'f1', 'F1', 82.3, 79.4, 84.9),
  stsb: glue('STS-B', 'pearson', 'Pearson corr.', 82.0, 30.9, 83.2),
  qqp: glue('QQP', 'f1', 'F1', 70.3, 65.5, 69.8),
  mnli: glue('MNLI', 'accuracy', 'accuracy', 81.8, 75.7, 81.1),
  qnli: glue('QNLI', 'accuracy', 'accuracy', 88.1, 71.2, 86.9),
  rte: glue('RTE', 'accuracy', 'accuracy', 56.0, 53.8, 54.4),
  snli: { dataset: 'SNLI', metric: 'accuracy', metricLabel: 'accuracy', full: 89.9, source: 'Table 2' },
  scitail: { dataset: 'SciTail', metric: 'accuracy', metricLabel: 'accuracy', full: 88.3, source: 'Table 2' },
  storyCloze: { dataset: 'Story Cloze', metric: 'accuracy', metricLabel: 'accuracy', full: 86.5, source: 'Table 3' },
  race: { dataset: 'RACE', metric: 'accuracy', metricLabel: 'accuracy', full: 59.0, source: 'Table 3' },
} satisfies Record<string, PaperResult>;

/** A paper dataset a file was recognised as, and how, in words ("its file name, sst2-train.tsv, says so"). */
export interface PaperMatch {
  paper: PaperResult;
  how: string;
}

type PaperKey = keyof typeof PAPER_RESULTS;

interface Recognisable {
  /** Words of a file name that name the dataset (the name split at anything not a letter or digit). */
  names: string[];
  families: TaskFamily[];
  /** The layouts its files come in, for recognising it by size. */
  formats: TaskFormat[];
  /** Examples in its public splits, by split. */
  sizes: Record<number, string>;
}

/**
 * How each dataset is recognised. Sizes are the public splits' example counts (GLUE's, SNLI 1.0's with and
 * without its unlabelled pairs, Story Cloze Spring 2016's); a size alone is trusted only in the dataset's own
 * layout and task family.
 */
const RECOGNISABLE: Record<PaperKey, Recognisable> = {
  sst2: {
    names: ['sst2'],
    families: ['classification'],
    formats: ['glue-sst2'],
    sizes: { 67349: 'train', 872: 'dev' },
  },
  cola: {
    names: ['cola'],
    families: ['classification'],
    formats: ['glue-cola'],
    sizes: { 8551: 'train', 1043: 'dev', 527: 'in-domain dev', 516: 'out-of-domain dev' },
  },
  mrpc: { names: ['mrpc'], families: ['similarity'], formats: ['glue-mrpc'], sizes: { 3668: 'train', 408: 'dev' } },
  stsb: { names: ['stsb'], families: ['similarity'], formats: ['glue-stsb'], sizes: { 5749: 'train', 1500: 'dev' } },
  qqp: {
    names: ['qqp', 'quora'],
    families: ['similarity'],
    formats: ['glue-pair', 'mapped-columns'],
    sizes: { 363846: 'train', 40430: 'dev' },
  },
  mnli: {
    names: ['mnli', 'multinli'],
    families: ['entailment'],
    formats: ['glue-pair'],
    sizes: { 392702: 'train', 9815: 'matched dev', 9832: 'mismatched dev' },
  },
  qnli: { names: ['qnli'], families: ['entailment'], formats: ['glue-pair'], sizes: { 104743: 'train', 5463: 'dev' } },
  rte: { names: ['rte'], families: ['entailment'], formats: ['glue-pair'], sizes: { 2490: 'train', 277: 'dev' } },
  snli: {
    names: ['snli'],
    families: ['entailment'],
    formats: ['glue-pair'],
    sizes: { 550152: 'train', 549367: 'train', 9842: 'dev', 9824: 'test' },
  },
  scitail: { names: ['scitail'], families: ['entailment'], formats: [], sizes: {} },
  storyCloze: {
    names: ['storycloze', 'cloze'],
    families: ['multiple-choice'],
    formats: ['story-cloze-csv'],
    sizes: { 1871: 'validation or test' },
  },
  race: { names: ['race'], families: ['multiple-choice'], formats: [], sizes: {} },
};

/** The words of a file name, with a letter word and the number or letter after it also joined ("SST-2" → sst2). */
function nameWords(fileName: string): Set<string> {
  const parts = fileName
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const words = new Set(parts);
  for (let i = 0; i + 1 < parts.length; i++) words.add(parts[i]! + parts[i + 1]!);
  return words;
}

/**
 * The paper dataset a file is, only when it is recognisably that dataset: its file name names it (SST-2.tsv,
 * sst2_dev.tsv, RTE-train.tsv), or it has exactly the examples of one of the dataset's public splits in the
 * dataset's own layout (an SST-2-layout file of 872 rows is SST-2's dev set). Either way the tab must be the
 * dataset's task family. Any other file, whatever its layout, is not named a dataset: the paper's numbers
 * would mean nothing beside it.
 */
export function recognisePaperDataset(
  file: Pick<TaskFileSummary, 'family' | 'format' | 'name' | 'rows'>,
): PaperMatch | undefined {
  const words = nameWords(file.name);
  const entries = Object.entries(RECOGNISABLE) as [PaperKey, Recognisable][];
  for (const [key, r] of entries) {
    if (!r.families.includes(file.family)) continue;
    if (r.names.some((n) => words.has(n))) {
      return { paper: PAPER_RESULTS[key], how: `its file name, ${file.name}, names it` };
    }
  }
  for (const [key, r] of entries) {
    const split = r.sizes[file.rows];
    if (!r.families.includes(file.family) || !r.formats.includes(file.format) || split === undefined) continue;
    const paper = PAPER_RESULTS[key];
    return {
      paper,
      how: `its ${file.rows.toLocaleString('en')} examples in this layout are the size of ${paper.dataset}'s ${split} set`,
    };
  }
  return undefined;
}
