// Tasks slice: the four task tabs (Classification, Entailment, Similarity, Multiple choice). Per tab: its
// training and dev files as the worker read them (or why not), the preview of one example, the settings form
// (kept as typed), the latest fine-tuning run and the latest comparison. Step points live outside the store
// (tabs/tasks/task-buffers.ts); the imported checkpoint is shared by the four tabs.
import type { StateCreator } from 'zustand';
import type { TaskFamily } from '../../data/tasks/task-types.ts';
import type {
  CompareRow,
  FinetuneEval,
  FinetuneInitChoice,
  FinetuneRecord,
  FinetuneRunInfo,
  FinetuneSummary,
  ImportedModelInfo,
  RunState,
  TaskFileRole,
  TaskFileSummary,
  TaskPreview,
} from '../../engine/protocol.ts';
import type { PresetName } from '../../model/config.ts';
import type { AblationVariant } from '../../train/finetune-ablation.ts';

export const TASK_FAMILIES: readonly TaskFamily[] = ['classification', 'entailment', 'similarity', 'multiple-choice'];

export interface TaskFileState {
  status: 'empty' | 'reading' | 'ready' | 'needs-mapping';
  /** The file being read or asking for a mapping. */
  pendingName?: string;
  summary?: TaskFileSummary;
  /** Columns of a file whose header was not recognised. */
  columns?: string[];
  /** The latest refusal of this input (the previous file stays loaded). */
  error?: string;
}

/** The settings form, as typed. */
export interface TaskForm {
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
}

export const PAPER_FORM: Omit<TaskForm, 'init' | 'preset' | 'seed' | 'context' | 'transferLayers'> = {
  auxLm: '0.5',
  epochs: '3',
  batch: '32',
  lr: '6.25e-5',
  warmup: '0.2',
  clip: '1',
};

export const DEFAULT_FORM: TaskForm = {
  init: 'current',
  preset: 'tiny',
  transferLayers: '',
  seed: '0',
  context: '',
  ...PAPER_FORM,
};

export type TaskRunState = RunState | 'starting';

export interface TaskRun {
  runId: string;
  family: TaskFamily;
  kind: 'finetune' | 'compare';
  state: TaskRunState;
  step: number;
  totalSteps: number;
  variant?: AblationVariant;
  message?: string;
  info?: FinetuneRunInfo;
  evals: FinetuneEval[];
  summary?: FinetuneSummary;
  /** Comparison rows, in the table's order. */
  rows: CompareRow[];
  /** Settings problems the worker named (field -> message). */
  problems: Record<string, string>;
  startedAt: number;
  /** The training and dev files' names when the run started (the Runs tab). */
  dataset?: { train?: string; dev?: string };
}

export interface TaskTabState {
  train: TaskFileState;
  dev: TaskFileState;
  preview?: TaskPreview;
  previewError?: string;
  form: TaskForm;
  /** The latest fine-tuning run and the latest comparison. */
  finetuneId?: string;
  compareId?: string;
}

export interface ImportedState {
  status: 'none' | 'reading' | 'ready';
  name?: string;
  info?: ImportedModelInfo;
  error?: string;
}

export interface TasksSlice {
  tasks: Record<TaskFamily, TaskTabState>;
  taskRuns: Record<string, TaskRun>;
  imported: ImportedState;
  /** Fine-tuning runs kept across reloads (the worker's list, newest first) and files it could not read. */
  keptFinetuneRuns: FinetuneRecord[];
  keptFinetuneSkipped: string[];
  /** Keys deleted here: their live rows stay hidden too. */
  deletedFinetuneKeys: string[];
  finetuneRunsListed: (runs: FinetuneRecord[], skipped: string[]) => void;
  finetuneRunDeleted: (key: string) => void;
  setTaskForm: (family: TaskFamily, patch: Partial<TaskForm>) => void;
  taskFileReading: (family: TaskFamily, role: TaskFileRole, name: string) => void;
  taskFileLoaded: (summary: TaskFileSummary) => void;
  taskFileNeedsMapping: (family: TaskFamily, role: TaskFileRole, name: string, columns: string[]) => void;
  taskFileFailed: (family: TaskFamily, role: TaskFileRole, message: string) => void;
  taskPreviewed: (preview: TaskPreview) => void;
  taskPreviewFailed: (family: TaskFamily, message: string) => void;
  importReading: (name: string) => void;
  importDone: (info: ImportedModelInfo) => void;
  importFailed: (message: string) => void;
  taskRunCreated: (runId: string, family: TaskFamily, kind: TaskRun['kind']) => void;
  updateTaskRun: (runId: string, change: (run: TaskRun) => Partial<TaskRun>) => void;
}

const emptyFile = (): TaskFileState => ({ status: 'empty' });

const emptyTab = (): TaskTabState => ({ train: emptyFile(), dev: emptyFile(), form: { ...DEFAULT_FORM } });

export const createTasksSlice: StateCreator<TasksSlice, [], [], TasksSlice> = (set) => {
  const updateTab = (family: TaskFamily, change: (tab: TaskTabState) => Partial<TaskTabState>) =>
    set((s) => ({ tasks: { ...s.tasks, [family]: { ...s.tasks[family], ...change(s.tasks[family]) } } }));
  const updateFile = (family: TaskFamily, role: TaskFileRole, change: (file: TaskFileState) => TaskFileState) =>
    updateTab(family, (tab) => ({ [role]: change(tab[role]) }));

  return {
    tasks: Object.fromEntries(TASK_FAMILIES.map((f) => [f, emptyTab()])) as Record<TaskFamily, TaskTabState>,
    taskRuns: {},
    imported: { status: 'none' },
    keptFinetuneRuns: [],
    keptFinetuneSkipped: [],
    deletedFinetuneKeys: [],
    finetuneRunsListed: (keptFinetuneRuns, keptFinetuneSkipped) => set({ keptFinetuneRuns, keptFinetuneSkipped }),
    finetuneRunDeleted: (key) =>
      set((s) => ({
        keptFinetuneRuns: s.keptFinetuneRuns.filter((r) => r.key !== key),
        deletedFinetuneKeys: [...s.deletedFinetuneKeys, key],
      })),
    setTaskForm: (family, patch) => updateTab(family, (tab) => ({ form: { ...tab.form, ...patch } })),
    taskFileReading: (family, role, name) =>
      updateFile(family, role, (file) => ({
        ...file,
        status: 'reading',
        pendingName: name,
        columns: undefined,
        error: undefined,
      })),
    taskFileLoaded: (summary) => updateFile(summary.family, summary.role, () => ({ status: 'ready', summary })),
    taskFileNeedsMapping: (family, role, name, columns) =>
      updateFile(family, role, (file) => ({ ...file, status: 'needs-mapping', pendingName: name, columns })),
    // A refusal keeps the file that was loaded before.
    taskFileFailed: (family, role, message) =>
      updateFile(family, role, (file) => ({
        summary: file.summary,
        status: file.summary ? 'ready' : 'empty',
        error: message,
      })),
    taskPreviewed: (preview) => updateTab(preview.family, () => ({ preview, previewError: undefined })),
    taskPreviewFailed: (family, message) => updateTab(family, () => ({ previewError: message })),
    importReading: (name) => set((s) => ({ imported: { ...s.imported, status: 'reading', name, error: undefined } })),
    importDone: (info) => set({ imported: { status: 'ready', name: info.name, info } }),
    importFailed: (message) =>
      set((s) => ({ imported: { ...s.imported, status: s.imported.info ? 'ready' : 'none', error: message } })),
    taskRunCreated: (runId, family, kind) =>
      set((s) => ({
        taskRuns: {
          ...s.taskRuns,
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
            dataset: { train: s.tasks[family].train.summary?.name, dev: s.tasks[family].dev.summary?.name },
          },
        },
        tasks: {
          ...s.tasks,
          [family]: { ...s.tasks[family], [kind === 'compare' ? 'compareId' : 'finetuneId']: runId },
        },
      })),
    updateTaskRun: (runId, change) =>
      set((s) => {
        const run = s.taskRuns[runId];
        return run ? { taskRuns: { ...s.taskRuns, [runId]: { ...run, ...change(run) } } } : {};
      }),
  };
};
