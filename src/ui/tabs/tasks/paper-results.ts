// The paper's reported numbers for the dataset a task file holds (Radford et al. 2018, Tables 2–5), found
// from the detected format and the file name. Table 5 (ablations) gives the full model, "w/o pre-training"
// and "w/o aux LM" for the GLUE sets; Tables 2–3 give the full model only for SNLI, SciTail, Story Cloze, RACE.
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

/** The paper dataset a file holds, from its format and name; undefined when it is not one of them (COPA, own data). */
export function detectPaperDataset(
  file: Pick<TaskFileSummary, 'format' | 'name' | 'description'>,
): PaperResult | undefined {
  const name = file.name.toLowerCase();
  switch (file.format) {
    case 'glue-sst2':
      return PAPER_RESULTS.sst2;
    case 'glue-cola':
      return PAPER_RESULTS.cola;
    case 'glue-mrpc':
      return PAPER_RESULTS.mrpc;
    case 'glue-stsb':
      return PAPER_RESULTS.stsb;
    case 'story-cloze-csv':
      return PAPER_RESULTS.storyCloze;
    case 'copa-jsonl':
      return undefined;
    default:
      break;
  }
  if (/qnli/.test(name) || /^QNLI style/.test(file.description)) return PAPER_RESULTS.qnli;
  const byName: [RegExp, PaperResult][] = [
    [/rte/, PAPER_RESULTS.rte],
    [/snli/, PAPER_RESULTS.snli],
    [/mnli|multinli/, PAPER_RESULTS.mnli],
    [/scitail/, PAPER_RESULTS.scitail],
    [/qqp|quora/, PAPER_RESULTS.qqp],
    [/race/, PAPER_RESULTS.race],
    [/sst/, PAPER_RESULTS.sst2],
    [/cola/, PAPER_RESULTS.cola],
    [/mrpc/, PAPER_RESULTS.mrpc],
    [/sts/, PAPER_RESULTS.stsb],
  ];
  return byName.find(([pattern]) => pattern.test(name))?.[1];
}
