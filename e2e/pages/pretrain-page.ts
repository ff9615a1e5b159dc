// The Pretrain workspace: the corpus (a file or the demo corpus), the tokenizer, the model form and its memory
// plan, the zero-shot probe sets (built-in, probe files), the run's toolbar, state, progress and figures, the
// charts (the zero-shot probe chart too), samples and generation. trainDemo and startDemo give a test a
// trained model or a running run in the fewest steps.
import { expect, type Locator } from '@playwright/test';
import { dataValue, definition, valueNow } from './read.ts';
import type { ShellPage } from './shell-page.ts';

/** SwiftShader trains the tiny preset at roughly 100–300 tokens/s on two shared CPU cores. */
export const TRAINING_TIMEOUT = 240_000;

export interface TinyRun {
  steps: number;
  batch?: number;
  /** Eval and sample every N steps (0: never). */
  every?: number;
  /**
   * Zero-shot probes every N steps (0: never, the default here, as a person can set it: a probe round costs
   * seconds on SwiftShader, and only the tests about probes want them).
   */
  probeEvery?: number;
}

export interface DemoRun extends TinyRun {
  /**
   * Leave matmul kernel tuning on. Off by default (as a person can switch it off in the device panel): it times
   * every matrix shape once per browser profile, each test has a fresh profile, and it changes only speed.
   * kernel-tuning.spec.ts and the tests that train without these helpers keep it on.
   */
  tune?: boolean;
}

export class PretrainPage {
  readonly panel: Locator;
  readonly corpusFile: Locator;
  readonly corpusStats: Locator;
  readonly tokenizerStats: Locator;
  readonly plan: Locator;
  readonly refusal: Locator;
  readonly start: Locator;
  readonly pauseResume: Locator;
  readonly stepOnce: Locator;
  readonly stop: Locator;
  readonly export: Locator;
  readonly state: Locator;
  readonly progress: Locator;
  readonly stats: Locator;
  readonly lossChart: Locator;
  /** The loss chart's caption: its latest values, in data-step and data-latest-train / -val. */
  readonly lossLatest: Locator;
  readonly samples: Locator;
  readonly generated: Locator;
  readonly builtinProbes: Locator;
  readonly probeFileInput: Locator;
  /** The probe files as read: one item per file (its kind and items, or its error), each with Remove. */
  readonly probeFiles: Locator;
  readonly probeChart: Locator;
  /** The probe chart's caption: data-step and data-latest-<probe set> (e.g. data-latest-built-in-sentiment). */
  readonly probeLatest: Locator;

  constructor(readonly shell: ShellPage) {
    const panel = shell.panel('Pretrain');
    this.panel = panel;
    this.corpusFile = panel.getByLabel('Corpus file');
    this.corpusStats = panel.getByLabel('Corpus statistics');
    this.tokenizerStats = panel.getByLabel('Tokenizer statistics');
    this.plan = panel.getByLabel('Model plan');
    this.refusal = panel.getByRole('note');
    const toolbar = panel.getByRole('toolbar', { name: 'Training controls' });
    this.start = toolbar.getByRole('button', { name: 'Start' });
    this.pauseResume = toolbar.getByRole('button', { name: /^(Pause|Resume)$/ });
    this.stepOnce = toolbar.getByRole('button', { name: 'Step once' });
    this.stop = toolbar.getByRole('button', { name: 'Stop' });
    this.export = toolbar.getByRole('button', { name: 'Export Hugging Face folder (.zip)' });
    this.state = panel.getByRole('status', { name: /^Run state:/ });
    this.progress = panel.getByRole('progressbar', { name: 'Training progress' });
    this.stats = panel.getByLabel('Run statistics');
    this.lossChart = panel.getByRole('figure', { name: 'Loss chart' });
    this.lossLatest = this.lossChart.getByTestId('loss-latest');
    this.samples = panel.getByRole('list', { name: 'Samples by step, newest first' });
    this.generated = panel.getByRole('status', { name: 'Generated text' });
    this.builtinProbes = panel.getByRole('checkbox', { name: /^Built-in probe sets/ });
    this.probeFileInput = panel.getByLabel('Probe files', { exact: true });
    this.probeFiles = panel.getByRole('list', { name: 'Probe files' });
    this.probeChart = panel.getByRole('figure', { name: 'Zero-shot probes chart' });
    this.probeLatest = this.probeChart.getByTestId('probes-latest');
  }

  /** A listed probe file, by name. */
  probeFile(name: string): Locator {
    return this.probeFiles.getByRole('listitem').filter({ hasText: name });
  }

  corpusFigure(term: string): Locator {
    return definition(this.corpusStats, term);
  }

  tokenizerFigure(term: string): Locator {
    return definition(this.tokenizerStats, term);
  }

  /** 'Vocabulary', 'Parameters' or 'Planned GPU memory'. */
  planFigure(term: string): Locator {
    return definition(this.plan, term);
  }

  /** A figure of the current run ('Step', 'Loss', 'Val loss', 'Tokens/s', 'ETA', 'Checkpoint', …). */
  runFigure(term: string): Locator {
    return definition(this.stats, term);
  }

  field(label: string): Locator {
    return this.panel.getByLabel(label, { exact: true });
  }

  async step(): Promise<number> {
    return valueNow(this.progress);
  }

  async loadDemoCorpus(): Promise<void> {
    await this.panel.getByRole('button', { name: 'Use the demo corpus' }).click();
    await this.tokenizerReady();
  }

  async dropCorpus(path: string): Promise<void> {
    await this.corpusFile.setInputFiles(path);
    await this.tokenizerReady();
  }

  async tokenizerReady(): Promise<void> {
    await expect.poll(() => dataValue(this.tokenizerFigure('Corpus tokens')), { timeout: 60_000 }).toBeGreaterThan(0);
  }

  /** The tiny preset, shortened for a CPU "GPU"; waits until Start can be pressed. */
  async configureTiny({ steps, batch = 4, every = 0, probeEvery = 0 }: TinyRun): Promise<void> {
    await this.field('Preset').selectOption('tiny');
    await this.field('Batch').fill(String(batch));
    await this.field('Steps').fill(String(steps));
    await this.field('Eval every').fill(String(every));
    await this.field('Sample every').fill(String(every));
    await this.field('Zero-shot probes every').fill(String(probeEvery));
    await expect(this.start).toBeEnabled();
  }

  /** The demo corpus, the tiny preset, Start: returns once the run is running. */
  async startDemo(run: DemoRun): Promise<void> {
    if (!run.tune) await this.shell.kernelTuning.uncheck();
    await this.loadDemoCorpus();
    await this.configureTiny(run);
    await this.start.click();
    await expect(this.state).toHaveText('running', { timeout: TRAINING_TIMEOUT });
  }

  /** The demo corpus, the tiny preset, Start: returns once the run is done (a model to use). */
  async trainDemo(run: DemoRun): Promise<void> {
    await this.startDemo(run);
    await expect(this.state).toHaveText('done', { timeout: TRAINING_TIMEOUT });
  }

  /** The current run's id, from its panel head. */
  async runId(): Promise<string> {
    return (await this.panel.getByTitle('Run id').textContent()) ?? '';
  }

  async generate({ prompt, maxTokens, temperature }: { prompt: string; maxTokens: number; temperature: number }) {
    await this.field('Prompt').fill(prompt);
    await this.field('Max tokens').fill(String(maxTokens));
    await this.field('Temperature').fill(String(temperature));
    await this.panel.getByRole('button', { name: 'Generate', exact: true }).click();
  }
}
