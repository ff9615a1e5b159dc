// The typed protocol between the UI (main thread) and the engine worker that owns the GPUDevice.
// Commands go in, events come out; both are discriminated unions so every handler is checked.
// Everything here is structured-clone data (no classes); big arrays travel as transferables.
import type { ColumnMapping } from '../data/tasks/parse-task-file.ts';
import type { TaskFamily, TaskFormat } from '../data/tasks/task-types.ts';
import type { AdapterReport } from '../gpu/adapter-report.ts';
import type { SelfTestResult } from '../gpu/self-test.ts';
import type { UnavailableReason } from '../gpu/webgpu-unavailable.ts';
import type { Gpt1Config, PresetName } from '../model/config.ts';
import type { PreviewSequence } from '../model/task-inputs.ts';
import type { FinetuneRecord, StoredEval } from '../storage/finetune-record.ts';
import type { KeptModelSummary } from '../storage/finetuned-model-files.ts';
import type { TokenizerChoice } from '../tokenizer/choose.ts';
import type { AblationStage } from '../train/ablation-grid.ts';
import type { ChanceLevel } from '../train/ablation-stats.ts';
import type { AblationVariant } from '../train/finetune-ablation.ts';
import type { FinetuneEval, FinetunePoint, FinetuneRunInfo, FinetuneSummary } from '../train/finetune-run.ts';
import type { StepMetrics } from '../train/lm-trainer.ts';
import type { ProbeKind } from '../train/probes/probe-sets.ts';
import type { ProbeResult } from '../train/probes/zero-shot.ts';
import type { CompareSettings } from '../train/settings/compare-settings.ts';
import type { FinetuneInitChoice, FinetuneSettings } from '../train/settings/finetune-settings.ts';
import type { GenerateSettings } from '../train/settings/generate-settings.ts';
import type { PretrainSettings } from '../train/settings/pretrain-settings.ts';
import type { TaskMetricName } from '../train/task-metrics.ts';
import type { TryInput, TryOutcome } from './finetuning/try-model.ts';

// Settings, points, evaluations and records travel as the modules that make them define them.
export type {
  ChanceLevel,
  CompareSettings,
  FinetuneEval,
  FinetuneInitChoice,
  FinetunePoint,
  FinetuneRecord,
  FinetuneRunInfo,
  FinetuneSettings,
  FinetuneSummary,
  GenerateSettings,
  KeptModelSummary,
  PretrainSettings,
  StepMetrics,
  StoredEval,
  TryInput,
  TryOutcome,
};

/** A run's life: pause takes effect at a step boundary, so a paused model is consistent and saveable. */
export type RunState = 'preparing' | 'running' | 'pausing' | 'paused' | 'stopped' | 'done' | 'error';

export interface CorpusStats {
  name: string;
  bytes: number;
  chars: number;
  lines: number;
  distinctChars: number;
  /** The first ~2,000 characters. */
  preview: string;
}

/** A pre-training tokenizer: built for the corpus, or the imported model's own ('model': its weights too). */
export type PretrainTokenizerChoice = TokenizerChoice | { kind: 'model' };

export interface TokenizerStats {
  kind: 'char' | 'bpe' | 'gpt1';
  /** The imported model the run starts from (tokenizer choice 'model'): its name and shape. */
  model?: { name: string; nLayer: number; nEmbd: number; nHead: number; nPositions: number };
  vocabSize: number;
  /** Tokens in the whole corpus. */
  tokens: number;
  charsPerToken: number;
  /** A sample line as the model sees it: token texts in order. */
  sample: { text: string; pieces: string[] };
}

export interface PlanSummary {
  parameters: number;
  /** Planned GPU bytes per class (param, grad, moment, activation, input, state) and the total. */
  bytesByClass: Record<string, number>;
  totalBytes: number;
  /** Whether the device can hold it (limits and, where known, memory). */
  fits: boolean;
  /** Why not, naming the limit and the sizes. */
  problem?: string;
}

/**
 * A model nobody trains, to generate from, look into or start from: a fine-tuned model (finished in this page,
 * kept in storage, or imported from a fine-tuning checkpoint; by its run id) or the imported model. A command
 * without one uses the loaded pre-training run `runId`.
 */
export type ModelRef = { kind: 'finetune'; runId: string } | { kind: 'imported' };

export interface GenerateRequest extends GenerateSettings {
  requestId: string;
  runId: string;
  prompt: string;
  model?: ModelRef;
}

export interface NextTokensRequest extends Pick<GenerateSettings, 'temperature' | 'topK'> {
  requestId: string;
  runId: string;
  prompt: string;
  model?: ModelRef;
}

/** A candidate next token: its id, its text as the tokenizer shows it, and the sampler's probability for it. */
export interface NextToken {
  id: number;
  text: string;
  probability: number;
}

// ---- Fine-tuning (the four task tabs) ----

export type TaskFileRole = 'train' | 'dev';

/** One row of a file's label mapping: the label as written, the class id it maps to, how often it occurs. */
export interface TaskLabelRow {
  name: string;
  id: number;
  count: number;
}

/** What the engine read from a task file. */
export interface TaskFileSummary {
  family: TaskFamily;
  role: TaskFileRole;
  name: string;
  bytes: number;
  format: TaskFormat;
  /** What was detected, in words (e.g. "single sentences: sentence, label"). */
  description: string;
  /** Which column fed which field (text, a, b, context, choices, label). */
  columns: Record<string, string>;
  regression: boolean;
  rows: number;
  /** Classes (or the right-choice counts for multiple choice); empty for scores. */
  labels: TaskLabelRow[];
  /** Regression: the lowest and highest score. */
  scoreRange?: [number, number];
  /** The first example as read: its line, fields by name and label. */
  example: { line: number; fields: Record<string, string>; label: string };
  /** The column mapping the file was read with, when the user chose one. */
  mapping?: ColumnMapping;
  /** A dev file that no longer fits the training file (a label the training file lacks); training refuses. */
  problem?: string;
}

/** How the preview tokenises: the choice of start and its model size. */
export interface TaskPreviewRequest {
  init: FinetuneInitChoice;
  /** For 'scratch'. */
  preset: PresetName;
  /** Longest sequence; null: the model's positions. */
  context: number | null;
}

/** One example as the model sees it: token rows with start / delimiter / extract markers. */
export interface TaskPreview {
  family: TaskFamily;
  /** The tokenizer used, in words. */
  tokenizer: string;
  T: number;
  line: number;
  sequences: PreviewSequence[];
  /** The training file's truncation warning at this context, if any. */
  truncation?: string;
}

export interface ImportedModelInfo {
  name: string;
  kind: 'gpt1-lab' | 'hugging-face';
  layers: number;
  dims: number;
  heads: number;
  positions: number;
  vocabSize: number;
  parameters: number;
  tokenizer: string;
  warnings: string[];
  /**
   * A fine-tuning checkpoint (an exported fine-tuned model): it is also a fine-tuned model, `runId` naming it
   * for Try it, Generate and Attention, with its task and class names.
   */
  finetuned?: { runId: string; family: TaskFamily; labels: string[] };
}

export interface CompareRow {
  variant: AblationVariant;
  description: string;
  auxLm: number;
  /** Which run of the grid: the recipe, a learning-rate trial (scored on the held part), or the tuned rate. */
  stage: AblationStage;
  seed: number;
  lr: number;
  metric: TaskMetricName;
  value: number;
  accuracy: number | null;
  finalTaskLoss: number;
  steps: number;
  seconds: number;
}

/** One run of a comparison's variant: its purpose, seed and learning rate. */
export interface CompareCell {
  stage: AblationStage;
  seed: number;
  lr: number;
}

/** What a comparison runs, sent before its first run. */
export interface ComparePlan extends CompareSettings {
  variants: AblationVariant[];
  /** The recipe's learning rate. */
  lr: number;
  /** Layers of the pretrained model (the sweep's L). */
  layers: number;
  /** λ of the aux-LM rows. */
  auxLm: number;
  chance: ChanceLevel;
  /** With a learning-rate sweep: how the held part of the training file was taken. */
  heldOut?: string;
}

/** The engine's matmul kernel tuning: how many shapes have a kernel chosen for this GPU, and at what cost. */
export interface KernelTuningStatus {
  enabled: boolean;
  /** Distinct matmul shapes with a chosen kernel. */
  shapes: number;
  /** Of those, shapes timed in this page (the rest came from the stored choices). */
  timedShapes: number;
  /** Seconds spent timing them. */
  seconds: number;
}

/** What the engine read from a probe file: its probe kind and items, or why it cannot be used. */
export type ProbeFileSummary =
  | {
      name: string;
      bytes: number;
      status: 'ok';
      kind: ProbeKind;
      /** Items in the file. */
      items: number;
      /** Items a round scores (the first ones; fewer than `items` for a long file). */
      used: number;
    }
  | { name: string; bytes: number; status: 'error'; message: string };

export type EngineCommand =
  | { type: 'probe-device' }
  | { type: 'load-corpus'; name: string; bytes: ArrayBuffer }
  | { type: 'load-demo-corpus' }
  /**
   * `files`: the GPT-1 tokenizer's files (name and text) when `choice` is gpt1: encoder_bpe_40000.json +
   * vocab_40000.bpe (OpenAI) or vocab.json + merges.txt (Hugging Face). The app does not ship them.
   */
  | { type: 'prepare-tokenizer'; choice: PretrainTokenizerChoice; files?: { name: string; text: string }[] }
  | { type: 'plan'; config: Gpt1Config; B: number; T: number; accumulation?: number }
  /**
   * The zero-shot probe sets of the runs started from now on: the built-in sets when `builtin`, plus each
   * file that reads as a probe set (the previous list is replaced). Answered by 'probe-files'.
   */
  | { type: 'set-probe-files'; builtin: boolean; files: { name: string; bytes: ArrayBuffer }[] }
  /**
   * A new pre-training run. `paused`: it opens at step 0 without training, so its model (an imported one, say)
   * can be generated from, inspected and exported at once; Resume trains it.
   */
  | { type: 'start-pretrain'; runId: string; settings: PretrainSettings; paused?: boolean }
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  | { type: 'step-once'; runId: string }
  | { type: 'stop'; runId: string }
  /** Continues a saved run (after a reload or a lost device); `paused` loads it without stepping. */
  | { type: 'resume-saved'; runId: string; paused?: boolean }
  /** Answered by 'saved-runs'. */
  | { type: 'list-saved-runs' }
  /** Deletes a saved run's folder, then answers with 'saved-runs'. */
  | { type: 'delete-saved'; runId: string }
  /** Test hook (C5): destroys the GPUDevice as a lost device would be lost. */
  | { type: 'debug-lose-device' }
  /**
   * Whether programs compiled from now time each matmul shape's kernel variants on this GPU and run the
   * fastest (default on; results are identical either way). Answered by 'kernel-tuning'.
   */
  | { type: 'set-kernel-tuning'; enabled: boolean }
  | { type: 'generate'; request: GenerateRequest }
  /** The next token's distribution after `prompt` under temperature and top-k (the Generate panel's bars). */
  | { type: 'next-tokens'; request: NextTokensRequest }
  /**
   * `model` absent: the pre-training run `runId`. A fine-tuned model sees the text through its task's input
   * transformation (classification form: start, text, extract).
   */
  | { type: 'attention'; requestId: string; runId: string; text: string; model?: ModelRef }
  /**
   * Live attention: while pre-training or a fine-tuning run (not a comparison) trains (this run and the next
   * ones), the attention maps of `text` every `every` steps, as 'attention-snapshot' events; `every` 0 stops.
   */
  | { type: 'watch-attention'; text: string; every: number }
  /** The run's current weights as a Hugging Face openai-gpt folder (a paused or ended run). */
  | { type: 'export-checkpoint'; runId: string }
  /**
   * A task tab's training or dev file; answered by 'task-file-loaded' (and 'task-preview' for the first
   * example), 'task-file-needs-mapping' when its columns are not recognised, or an 'error' naming the file.
   */
  | {
      type: 'load-task-file';
      family: TaskFamily;
      role: TaskFileRole;
      name: string;
      bytes: ArrayBuffer;
      mapping?: ColumnMapping;
      preview: TaskPreviewRequest;
    }
  /** Re-sends the preview for another start (its tokenizer and context). */
  | { type: 'preview-task'; family: TaskFamily; preview: TaskPreviewRequest }
  /** A checkpoint folder (ours, or Hugging Face openai-gpt with vocab.json + merges.txt): 'checkpoint-imported'. */
  | { type: 'import-checkpoint'; name: string; files: { name: string; bytes: ArrayBuffer }[] }
  /**
   * Makes a fine-tuned model the imported model (its body and tokenizer), so it is pre-trained further or
   * fine-tuned again as an imported one is: answered by 'checkpoint-imported'.
   */
  | { type: 'adopt-model'; model: ModelRef }
  | { type: 'start-finetune'; runId: string; settings: FinetuneSettings }
  /** Stops a fine-tuning run or a comparison at the next step boundary. */
  | { type: 'stop-finetune'; runId: string }
  /** The paper's ablations (Table 5): pretrained with and without aux LM, from scratch, first n layers. */
  | {
      type: 'compare';
      runId: string;
      settings: FinetuneSettings;
      /** Rows, seeds and learning-rate sweep; absent: Table 5, one seed, no sweep (SINGLE_RUN_COMPARE). */
      compare?: CompareSettings;
    }
  /** Answered by 'finetune-runs': the fine-tuning runs kept across reloads. */
  | { type: 'list-finetune-runs' }
  /** Deletes a kept fine-tuning run (its key), then answers with 'finetune-runs'. */
  | { type: 'delete-finetune-run'; key: string }
  /** Pauses (at the next step boundary, saving a checkpoint there) or resumes a fine-tuning run. */
  | { type: 'pause-finetune'; runId: string }
  | { type: 'resume-finetune'; runId: string }
  /** Answered by 'finetuned-models': the fine-tuning runs kept as models (their latest checkpoints). */
  | { type: 'list-finetuned-models' }
  /** Continues a kept fine-tuned model (after a reload), its task files back in its tab; `paused`: load only. */
  | { type: 'resume-finetuned-model'; runId: string; paused?: boolean }
  /** Deletes a kept fine-tuned model, then answers with 'finetuned-models'. */
  | { type: 'delete-finetuned-model'; runId: string }
  /** A kept fine-tuned model's latest checkpoint as a Hugging Face folder: 'checkpoint-export'. */
  | { type: 'export-finetuned-model'; runId: string }
  /**
   * Try it: one example in the shape of the run's task through a finished or kept fine-tuned model;
   * attention maps of its sequence `sequence` (default 0). Answered by 'try-result'.
   */
  | { type: 'try-finetuned'; requestId: string; runId: string; input: TryInput; sequence?: number };

export type EngineEvent =
  | { type: 'device-ready'; adapter: AdapterReport; selfTest: SelfTestResult }
  | { type: 'device-unavailable'; reason: UnavailableReason | 'error'; headline: string; advice: string[] }
  | { type: 'device-lost'; reason: string; message: string }
  | { type: 'corpus-loaded'; stats: CorpusStats }
  | { type: 'tokenizer-progress'; done: number; total: number }
  | { type: 'tokenizer-ready'; stats: TokenizerStats }
  | { type: 'plan'; plan: PlanSummary }
  | { type: 'run-state'; runId: string; state: RunState; step: number; totalSteps: number; message?: string }
  | { type: 'metrics'; runId: string; points: StepMetrics[] }
  | { type: 'eval'; runId: string; step: number; valLoss: number }
  | { type: 'sample'; runId: string; step: number; prompt: string; text: string }
  /** A zero-shot probe round (Figure 2 right) at a step boundary. */
  | { type: 'probes'; runId: string; step: number; results: ProbeResult[] }
  /** What each probe file was read as (after 'set-probe-files'), in the order sent. */
  | { type: 'probe-files'; builtin: boolean; files: ProbeFileSummary[] }
  | { type: 'checkpoint-saved'; runId: string; step: number; bytes: number }
  | {
      type: 'saved-runs';
      runs: { runId: string; step: number; totalSteps: number; savedAt: string; settings: PretrainSettings }[];
    }
  /** `text`: the new text since the previous event (append it); `fullText`: everything generated so far. */
  | { type: 'generated'; requestId: string; text: string; done: boolean; fullText?: string }
  /** A live attention snapshot ('watch-attention') of a pre-training or fine-tuning run at a step boundary. */
  | {
      type: 'attention-snapshot';
      runId: string;
      /** 'finetune': a fine-tuning run's, the text in its task's form (start, text, extract); absent: pre-training. */
      kind?: 'finetune';
      step: number;
      tokens: string[];
      layers: number;
      heads: number;
      /** [layers, heads, T, T] probabilities, row-major. */
      data: Float32Array;
      /** A fine-tuning run's extract token position (the last token), whose row the task heads read. */
      extractIndex?: number;
    }
  /** The most likely next tokens after the request's prompt, most likely first (at most NEXT_TOKEN_BARS). */
  | { type: 'next-tokens'; requestId: string; tokens: NextToken[] }
  | {
      type: 'attention-maps';
      requestId: string;
      tokens: string[];
      layers: number;
      heads: number;
      /** [layers, heads, T, T] probabilities, row-major. */
      data: Float32Array;
      /** A fine-tuned model's extract token position (the last token), whose row the heads read. */
      extractIndex?: number;
    }
  | { type: 'task-file-loaded'; summary: TaskFileSummary }
  | {
      type: 'task-file-needs-mapping';
      family: TaskFamily;
      role: TaskFileRole;
      name: string;
      columns: string[];
      message: string;
    }
  | { type: 'task-preview'; preview: TaskPreview }
  | { type: 'checkpoint-imported'; info: ImportedModelInfo }
  /** A fine-tuning run or comparison changed state; `variant` names the comparison's current variant. */
  | {
      type: 'finetune-state';
      runId: string;
      kind: 'finetune' | 'compare';
      state: RunState;
      step: number;
      totalSteps: number;
      variant?: AblationVariant;
      message?: string;
    }
  /** `cell`: which run of a comparison's variant (seed, rate), when the variant runs more than once. */
  | { type: 'finetune-started'; runId: string; variant?: AblationVariant; cell?: CompareCell; info: FinetuneRunInfo }
  /** Batched step points (not one event per step). */
  | { type: 'finetune-metrics'; runId: string; variant?: AblationVariant; points: FinetunePoint[] }
  /** Dev evaluation at an epoch end (and at the end of the run). */
  | { type: 'finetune-eval'; runId: string; variant?: AblationVariant; eval: FinetuneEval }
  | { type: 'finetune-done'; runId: string; variant?: AblationVariant; summary: FinetuneSummary }
  /** Before a comparison's first run: what it will run, the dev set's chance level and the held-out split. */
  | { type: 'compare-plan'; runId: string; plan: ComparePlan }
  | { type: 'compare-row'; runId: string; row: CompareRow }
  | { type: 'compare-done'; runId: string; metric: TaskMetricName; rows: number; stopped: boolean }
  /** The kept fine-tuning runs, newest first; `skipped`: stored files that could not be read, each naming its file. */
  | { type: 'finetune-runs'; runs: FinetuneRecord[]; skipped: string[] }
  /** Try it's answer: probabilities (or the score), the example as the model sees it, attention of a sequence. */
  | { type: 'try-result'; requestId: string; runId: string; outcome: TryOutcome }
  /** The fine-tuned models kept in storage, newest first. */
  | { type: 'finetuned-models'; models: KeptModelSummary[] }
  | { type: 'checkpoint-export'; runId: string; step: number; files: { name: string; bytes: ArrayBuffer }[] }
  /** After a compile chose kernels for new matmul shapes, and after 'set-kernel-tuning'. */
  | ({ type: 'kernel-tuning' } & KernelTuningStatus)
  /** A failure tied to a command; `where` names the input (file, field) and nothing else changed. */
  | { type: 'error'; runId?: string; requestId?: string; where: string; message: string };

/** How the engine sends an event (the worker: postMessage; tests: a recorder). */
export type EmitFn = (event: EngineEvent, transfer?: Transferable[]) => void;
