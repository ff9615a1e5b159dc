// Fine-tuning slice: per task family the settings form (kept as typed) and the latest fine-tuning run and
// comparison; every fine-tuning run of this page; the imported checkpoint (shared by the four task tabs); the
// runs kept across reloads; and the fine-tuned models kept in storage. Step points live outside the store (finetune-buffers.ts).
import type { StateCreator } from 'zustand';
import { TASK_FAMILIES, type TaskFamily } from '../../data/tasks/task-types.ts';
import type {
  ComparePlan,
  CompareRow,
  FinetuneEval,
  FinetuneInitChoice,
  FinetuneRecord,
  FinetuneRunInfo,
  FinetuneSummary,
  ImportedModelInfo,
  KeptModelSummary,
  RunState,
} from '../../engine/protocol.ts';
import type { PresetName } from '../../model/config.ts';
import type { AblationVariant } from '../../train/finetune-ablation.ts';
import { type CompareRows, DEFAULT_COMPARE, lrSweepText } from '../../train/settings/compare-settings.ts';
import { fieldText } from '../../train/settings/field.ts';
import { DEFAULT_FINETUNE_SEED, FINETUNE_FIELDS, PAPER_FINETUNE } from '../../train/settings/finetune-settings.ts';
import { RECIPE_DEFAULTS } from '../../train/settings/recipe-fields.ts';

/** The fine-tuning settings form, as typed. */
export interface FinetuneForm {
  init: FinetuneInitChoice;
  preset: PresetName;
  transferLayers: string;
  auxLm: string;
  epochs: string;
  batch: string;
  lr: string;
  /** Percent of the steps. */
  warmup: string;
  clip: string;
  seed: string;
  context: string;
  accumulation: string;
  minLr: string;
  /** Empty: the model's own (and the classifier's 0.1). */
  dropout: string;
  weightDecay: string;
  /** Compare: Table 5's rows or the layers-transferred sweep. */
  compareRows: CompareRows;
  /** Compare: seeds per row. */
  seeds: string;
  /** Compare: the learning-rate sweep, comma-separated (empty: none). */
  lrSweep: string;
}

type PaperField = 'auxLm' | 'epochs' | 'batch' | 'lr' | 'warmup' | 'clip';
const paperText = (key: PaperField) => fieldText(FINETUNE_FIELDS[key], PAPER_FINETUNE[key]);

/** The paper's recipe as the form shows it (the schema's values; warm-up in percent). */
export const PAPER_FINETUNE_FORM: Pick<FinetuneForm, PaperField> = {
  auxLm: paperText('auxLm'),
  epochs: paperText('epochs'),
  batch: paperText('batch'),
  lr: paperText('lr'),
  warmup: paperText('warmup'),
  clip: paperText('clip'),
};

export const DEFAULT_FINETUNE_FORM: FinetuneForm = {
  init: 'current',
  preset: 'tiny',
  transferLayers: '',
  seed: String(DEFAULT_FINETUNE_SEED),
  context: '',
  accumulation: String(RECIPE_DEFAULTS.accumulation),
  minLr: String(RECIPE_DEFAULTS.minLr),
  dropout: '',
  weightDecay: fieldText(FINETUNE_FIELDS.weightDecay, PAPER_FINETUNE.weightDecay),
  compareRows: DEFAULT_COMPARE.rows,
  seeds: String(DEFAULT_COMPARE.seeds),
  lrSweep: lrSweepText(DEFAULT_COMPARE.lrSweep),
  ...PAPER_FINETUNE_FORM,
};

export type FinetuneRunState = RunState | 'starting';

/** A fine-tuning run, or a comparison (the paper's ablation: several fine-tuning runs on the same data). */
export interface FinetuneRun {
  runId: string;
  family: TaskFamily;
  kind: 'finetune' | 'compare';
  state: FinetuneRunState;
  step: number;
  totalSteps: number;
  variant?: AblationVariant;
  message?: string;
  info?: FinetuneRunInfo;
  evals: FinetuneEval[];
  summary?: FinetuneSummary;
  /** A comparison's plan (rows, seeds, sweep, chance on dev), once its first run starts. */
  plan?: ComparePlan;
  /** A comparison's finished runs, in the order they ran (recipe, trial and tuned runs of every seed). */
  rows: CompareRow[];
  /** Settings problems the worker named (field -> message). */
  problems: Record<string, string>;
  startedAt: number;
  /** The training and dev files' names when the run started (the Runs tab). */
  dataset?: { train?: string; dev?: string };
}

/** A task tab's latest fine-tuning run and latest comparison. */
export interface LatestFinetune {
  finetune?: string;
  compare?: string;
}

export interface ImportedState {
  /** 'choosing': the chosen folder holds several checkpoints (`choices`), one is to be picked. */
  status: 'none' | 'choosing' | 'reading' | 'ready';
  name?: string;
  info?: ImportedModelInfo;
  error?: string;
  /** The checkpoints of the chosen folder, by sub-folder, with how each reads in a list. */
  choices?: { folder: string; label: string }[];
  /** Bytes read of the files being imported, their total, and when reading started (ms since epoch). */
  progress?: { done: number; total: number; since: number };
  /** What the last import read: bytes, and the milliseconds from the first byte to the model being ready. */
  read?: { bytes: number; ms: number };
}

export interface FinetuneSlice {
  finetuneForms: Record<TaskFamily, FinetuneForm>;
  latestFinetune: Record<TaskFamily, LatestFinetune>;
  finetuneRuns: Record<string, FinetuneRun>;
  imported: ImportedState;
  /** Fine-tuning runs kept across reloads (the worker's list, newest first) and files it could not read. */
  keptFinetuneRuns: FinetuneRecord[];
  keptFinetuneSkipped: string[];
  /** Keys deleted here: their live rows stay hidden too. */
  deletedFinetuneKeys: string[];
  /** Fine-tuned models kept in storage (the worker's list, newest first): resume, delete, export. */
  keptModels: KeptModelSummary[];
  keptModelsListed: (models: KeptModelSummary[]) => void;
  finetuneRunsListed: (runs: FinetuneRecord[], skipped: string[]) => void;
  finetuneRunDeleted: (key: string) => void;
  setFinetuneForm: (family: TaskFamily, patch: Partial<FinetuneForm>) => void;
  importChoosing: (name: string, choices: { folder: string; label: string }[]) => void;
  importReading: (name: string, total: number) => void;
  importProgress: (done: number) => void;
  importDone: (info: ImportedModelInfo) => void;
  importFailed: (message: string) => void;
  finetuneRunCreated: (
    runId: string,
    family: TaskFamily,
    kind: FinetuneRun['kind'],
    dataset: FinetuneRun['dataset'],
  ) => void;
  updateFinetuneRun: (runId: string, change: (run: FinetuneRun) => Partial<FinetuneRun>) => void;
}

const perFamily = <T>(make: () => T) =>
  Object.fromEntries(TASK_FAMILIES.map((f) => [f, make()])) as Record<TaskFamily, T>;

export const createFinetuneSlice: StateCreator<FinetuneSlice, [], [], FinetuneSlice> = (set) => ({
  finetuneForms: perFamily(() => ({ ...DEFAULT_FINETUNE_FORM })),
  latestFinetune: perFamily(() => ({})),
  finetuneRuns: {},
  imported: { status: 'none' },
  keptFinetuneRuns: [],
  keptFinetuneSkipped: [],
  deletedFinetuneKeys: [],
  keptModels: [],
  keptModelsListed: (keptModels) => set({ keptModels }),
  finetuneRunsListed: (keptFinetuneRuns, keptFinetuneSkipped) => set({ keptFinetuneRuns, keptFinetuneSkipped }),
  finetuneRunDeleted: (key) =>
    set((s) => ({
      keptFinetuneRuns: s.keptFinetuneRuns.filter((r) => r.key !== key),
      deletedFinetuneKeys: [...s.deletedFinetuneKeys, key],
    })),
  setFinetuneForm: (family, patch) =>
    set((s) => ({ finetuneForms: { ...s.finetuneForms, [family]: { ...s.finetuneForms[family], ...patch } } })),
  importChoosing: (name, choices) =>
    set((s) => ({ imported: { ...s.imported, status: 'choosing', name, choices, error: undefined } })),
  importReading: (name, total) =>
    set((s) => ({
      imported: {
        ...s.imported,
        status: 'reading',
        name,
        choices: undefined,
        progress: { done: 0, total, since: Date.now() },
        error: undefined,
      },
    })),
  importProgress: (done) =>
    set((s) =>
      s.imported.progress ? { imported: { ...s.imported, progress: { ...s.imported.progress, done } } } : {},
    ),
  importDone: (info) =>
    set((s) => {
      const p = s.imported.progress;
      const read = p ? { bytes: p.done, ms: Date.now() - p.since } : undefined;
      return { imported: { status: 'ready', name: info.name, info, read } };
    }),
  importFailed: (message) =>
    set((s) => ({
      imported: {
        ...s.imported,
        status: s.imported.info ? 'ready' : 'none',
        choices: undefined,
        progress: undefined,
        error: message,
      },
    })),
  finetuneRunCreated: (runId, family, kind, dataset) =>
    set((s) => ({
      finetuneRuns: {
        ...s.finetuneRuns,
        [runId]: {
          runId,
          family,
          kind,
          state: 'starting',
          step: 0,
          totalSteps: 0,
          evals: [],
          rows: [],
          problems: {},
          startedAt: Date.now(),
          dataset,
        },
      },
      latestFinetune: { ...s.latestFinetune, [family]: { ...s.latestFinetune[family], [kind]: runId } },
    })),
  updateFinetuneRun: (runId, change) =>
    set((s) => {
      const run = s.finetuneRuns[runId];
      return run ? { finetuneRuns: { ...s.finetuneRuns, [runId]: { ...run, ...change(run) } } } : {};
    }),
});
