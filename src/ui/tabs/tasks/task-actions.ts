// What a task tab can ask for: read a training or dev file (again with a column mapping when its header was
// not recognised), re-preview when the start changes, import a checkpoint folder, start a fine-tuning run or
// the comparison, and stop. Each checks what it needs, updates the store and sends a command.
import type { ColumnMapping } from '../../../data/tasks/parse-task-file.ts';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { FinetuneInitChoice, TaskFileRole } from '../../../engine/protocol.ts';
import { sendCommand } from '../../engine-port.ts';
import { formatBytes } from '../../format.ts';
import { type AppState, useAppStore } from '../../store/index.ts';
import { TASK_FAMILIES, type TaskForm, type TaskRun } from '../../store/tasks-slice.ts';
import { parseTaskForm, previewRequestOf } from './task-form.ts';

const get = () => useAppStore.getState();

/** Matches the worker's cap (parse-task-file.ts MAX_TASK_FILE_BYTES). */
const MAX_TASK_FILE_BYTES = 64 * 1024 * 1024;

/** The File each input last chose, to re-send with a column mapping. */
const chosen = new Map<string, File>();
const key = (family: TaskFamily, role: TaskFileRole) => `${family}:${role}`;

export async function loadTaskFile(
  family: TaskFamily,
  role: TaskFileRole,
  file: File,
  mapping?: ColumnMapping,
): Promise<void> {
  const s = get();
  if (file.size > MAX_TASK_FILE_BYTES) {
    s.taskFileFailed(family, role, `${file.name} is ${formatBytes(file.size)}; task files can be at most 64 MiB.`);
    return;
  }
  chosen.set(key(family, role), file);
  s.taskFileReading(family, role, file.name);
  let bytes: ArrayBuffer;
  try {
    bytes = await file.arrayBuffer();
  } catch (error) {
    get().taskFileFailed(family, role, `${file.name} could not be read: ${(error as Error).message}`);
    return;
  }
  const preview = previewRequestOf(get().tasks[family].form);
  sendCommand({ type: 'load-task-file', family, role, name: file.name, bytes, mapping, preview }, [bytes]);
}

/** Re-reads the file that asked for a mapping, with the mapping the user chose. */
export function applyMapping(family: TaskFamily, role: TaskFileRole, mapping: ColumnMapping): void {
  const file = chosen.get(key(family, role));
  if (file) void loadTaskFile(family, role, file, mapping);
}

/** A dev file with the same unrecognised columns as the training file takes the training file's mapping. */
export function onTaskFileNeedsMapping(family: TaskFamily, role: TaskFileRole, columns: string[]): void {
  if (role !== 'dev') return;
  const mapping = get().tasks[family].train.summary?.mapping;
  if (!mapping) return;
  const used = [mapping.text, mapping.a, mapping.b, mapping.context, mapping.label, ...(mapping.choices ?? [])];
  if (used.every((c) => c === undefined || columns.includes(c))) applyMapping(family, role, mapping);
}

export function setTaskForm(family: TaskFamily, patch: Partial<TaskForm>): void {
  const before = get().tasks[family].form;
  get().setTaskForm(family, patch);
  const after = get().tasks[family].form;
  const previewChanged =
    before.init !== after.init || before.preset !== after.preset || before.context !== after.context;
  const tab = get().tasks[family];
  if (previewChanged && (tab.train.summary || tab.dev.summary)) {
    sendCommand({ type: 'preview-task', family, preview: previewRequestOf(after) });
  }
}

export function setInit(family: TaskFamily, init: FinetuneInitChoice): void {
  setTaskForm(family, { init });
}

/** Reads a checkpoint folder (or chosen files) and sends it to the worker. */
export async function importCheckpointFiles(list: FileList | null): Promise<void> {
  const files = [...(list ?? [])];
  if (!files.length) return;
  const folder = files[0]!.webkitRelativePath.split('/')[0] || files[0]!.name;
  get().importReading(folder);
  try {
    const read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    sendCommand(
      { type: 'import-checkpoint', name: folder, files: read },
      read.map((f) => f.bytes),
    );
  } catch (error) {
    get().importFailed(`${folder} could not be read: ${(error as Error).message}`);
  }
}

/** The pre-training run whose weights "Current pretrained model" would use, and whether it can be used now. */
export function currentModel(s: AppState = get()): { usable: boolean; text: string } {
  const run = s.currentRunId ? s.runs[s.currentRunId] : undefined;
  if (!run) return { usable: false, text: 'none yet: pretrain one on the Pretrain tab' };
  const what = `run ${run.runId}, step ${run.step} of ${run.totalSteps}`;
  if (run.state === 'paused' || run.state === 'stopped' || run.state === 'done') {
    return run.step > 0
      ? { usable: true, text: `${what} (${run.state})` }
      : { usable: false, text: `${what}: no steps yet` };
  }
  if (run.state === 'error') return { usable: false, text: `${what} ended in an error` };
  return { usable: false, text: `${what} is ${run.state}: pause or stop it to fine-tune from it` };
}

const ACTIVE: ReadonlySet<TaskRun['state']> = new Set(['starting', 'preparing', 'running', 'pausing', 'paused']);

export function activeTaskRun(s: AppState = get()): TaskRun | undefined {
  return Object.values(s.taskRuns).find((r) => ACTIVE.has(r.state));
}

/** Why Train (or Compare) cannot start now; empty when it can. */
export function taskStartBlockers(family: TaskFamily, kind: TaskRun['kind'], s: AppState = get()): string[] {
  const tab = s.tasks[family];
  const reasons: string[] = [];
  if (!tab.train.summary) reasons.push('add a training file');
  if (!tab.dev.summary) reasons.push('add a dev file');
  else if (tab.dev.summary.problem) reasons.push('the dev file does not fit the training file');
  const { problems } = parseTaskForm(family, tab.form);
  if (Object.keys(problems).length) reasons.push('fix the highlighted settings');
  const init = tab.form.init;
  const needsCurrent = init === 'current' || (kind === 'compare' && init === 'scratch');
  if (needsCurrent && !currentModel(s).usable) {
    reasons.push(
      kind === 'compare'
        ? 'Compare needs a pretrained model: pretrain one or import a checkpoint'
        : 'no usable pretrained model',
    );
  }
  if (init === 'imported' && s.imported.status !== 'ready') reasons.push('import a checkpoint');
  if (activeTaskRun(s)) reasons.push('a fine-tuning run is in progress');
  const pretraining = s.currentRunId ? s.runs[s.currentRunId] : undefined;
  if (pretraining && ['starting', 'preparing', 'running', 'pausing'].includes(pretraining.state)) {
    reasons.push('pre-training is running (pause or stop it)');
  }
  return reasons;
}

function newRunId(family: TaskFamily, kind: TaskRun['kind']): string {
  const short = { classification: 'cls', entailment: 'ent', similarity: 'sim', 'multiple-choice': 'mc' }[family];
  return `${short}-${kind === 'compare' ? 'cmp' : 'ft'}-${Date.now().toString(36).slice(-6)}`;
}

export function startTaskRun(family: TaskFamily, kind: TaskRun['kind']): void {
  const s = get();
  if (taskStartBlockers(family, kind, s).length) return;
  const { settings } = parseTaskForm(family, s.tasks[family].form);
  const runId = newRunId(family, kind);
  s.taskRunCreated(runId, family, kind);
  sendCommand({ type: kind === 'compare' ? 'compare' : 'start-finetune', runId, settings });
}

export function stopTaskRun(runId: string | undefined): void {
  const run = runId ? get().taskRuns[runId] : undefined;
  if (run && ACTIVE.has(run.state)) sendCommand({ type: 'stop-finetune', runId: run.runId });
}

/** Tabs that start from `init` re-preview (a new imported model, a pre-training run that paused or ended). */
export function refreshPreviews(init: FinetuneInitChoice): void {
  for (const family of TASK_FAMILIES) {
    const tab = get().tasks[family];
    if (tab.form.init === init && (tab.train.summary || tab.dev.summary)) {
      sendCommand({ type: 'preview-task', family, preview: previewRequestOf(tab.form) });
    }
  }
}
