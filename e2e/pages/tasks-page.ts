// A task tab (Classification, Entailment, Similarity, Multiple choice): its training and dev files and what
// was read from them, the example as the model sees it, where fine-tuning starts from and its settings, the
// fine-tuning run (Train, state, progress, dev metric, curves) and the comparison with the paper.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Locator } from '@playwright/test';
import { TRAINING_TIMEOUT } from './pretrain-page.ts';
import { definition } from './read.ts';
import type { ShellPage, Workspace } from './shell-page.ts';

export type TaskTab = Extract<Workspace, 'Classification' | 'Entailment' | 'Similarity' | 'Multiple choice'>;

/** The header and the first `rows` examples of a shared SST-2 split, written to `path`. */
export function sst2Slice(split: 'train' | 'dev', rows: number, path: string): string {
  const lines = readFileSync(resolve('../shared/data/classification/sst2', `${split}.tsv`), 'utf8').split('\n');
  writeFileSync(path, `${lines.slice(0, rows + 1).join('\n')}\n`);
  return path;
}

export class TasksPage {
  readonly panel: Locator;
  readonly trainFile: Locator;
  readonly devFile: Locator;
  readonly preview: Locator;
  /** One figure per input row the model sees (several for similarity and multiple choice). */
  readonly previewRows: Locator;
  readonly train: Locator;
  readonly finetuneState: Locator;
  readonly finetuneProgress: Locator;
  readonly devMetric: Locator;
  /** The L1 / L2 / L3 chart's caption: data-latest-l1-aux-lm, -l2-task, -l3-total. */
  readonly lossLatest: Locator;
  readonly compare: Locator;
  readonly compareState: Locator;
  readonly compareTable: Locator;

  constructor(
    readonly shell: ShellPage,
    readonly tab: TaskTab,
  ) {
    const panel = shell.panel(tab);
    this.panel = panel;
    this.trainFile = panel.getByLabel('Training file');
    this.devFile = panel.getByLabel('Dev file');
    this.preview = panel.getByRole('region', { name: 'Example as the model sees it' });
    this.previewRows = this.preview.getByRole('figure');
    this.train = panel.getByRole('toolbar', { name: 'Fine-tuning controls' }).getByRole('button', { name: 'Train' });
    this.finetuneState = panel.getByRole('status', { name: /^Fine-tuning state:/ });
    this.finetuneProgress = panel.getByRole('progressbar', { name: 'Fine-tuning progress' });
    this.devMetric = panel.getByRole('status', { name: 'Dev metric' });
    this.lossLatest = panel
      .getByRole('figure', { name: 'L1 / L2 / L3 chart' })
      .getByTestId(/^finetune-loss-.+-latest$/);
    this.compare = panel
      .getByRole('toolbar', { name: 'Comparison controls' })
      .getByRole('button', { name: 'Compare', exact: true });
    this.compareState = panel.getByRole('status', { name: /^Comparison state:/ });
    this.compareTable = panel.getByRole('table', { name: 'Comparison' });
  }

  async open(): Promise<this> {
    await this.shell.show(this.tab);
    return this;
  }

  /** What was read from a file: 'Training data' or 'Dev data', by file name. */
  fileSummary(kind: 'Training data' | 'Dev data', name: string): Locator {
    return this.panel.getByRole('region', { name: `${kind}: ${name}` });
  }

  examples(summary: Locator): Locator {
    return definition(summary, 'Examples');
  }

  /** The error shown beside a file input (the file, line and reason). */
  fileError(name: string): Locator {
    return this.panel.getByRole('alert').filter({ hasText: name });
  }

  field(label: string): Locator {
    return this.panel.getByLabel(label, { exact: true });
  }

  async startFrom(option: 'Current pretrained model' | 'Imported checkpoint' | 'From scratch'): Promise<void> {
    await this.panel.getByRole('radio', { name: option }).check();
  }

  /** One short epoch (48 SST-2 rows: 3 steps of 16 × 32) instead of the paper's 3 epochs of 32 × the context. */
  async shortSchedule(): Promise<void> {
    await this.field('Epochs').fill('1');
    await this.field('Batch size').fill('16');
    await this.field('Peak learning rate').fill('1e-3');
    await this.field('Longest sequence').fill('32');
  }

  /** Compare's rows, seeds per row and learning-rate sweep (empty: none). */
  async compareSettings(rows: 'table5' | 'layers', seeds: number, lrSweep = ''): Promise<void> {
    await this.field('Rows').selectOption(rows);
    await this.field('Seeds per row').fill(String(seeds));
    await this.field('Learning rates to try').fill(lrSweep);
  }

  /** A tiny model from scratch, on the short schedule. */
  async fastScratchSettings(): Promise<void> {
    await this.startFrom('From scratch');
    await this.field('Model size').selectOption('tiny');
    await this.shortSchedule();
  }

  /** Presses Train and waits for the run to finish. */
  async finetune(): Promise<void> {
    await expect(this.train).toBeEnabled();
    await this.train.click();
    await expect(this.finetuneState).toHaveText('done', { timeout: TRAINING_TIMEOUT });
  }

  /** The fine-tuning run's id, from its panel head. */
  async finetuneRunId(): Promise<string> {
    const head = this.panel.getByRole('region', { name: 'Fine-tune' });
    return (await head.getByTitle('Run id').textContent()) ?? '';
  }
}
