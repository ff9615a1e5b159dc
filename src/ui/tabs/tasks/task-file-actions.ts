// What a task tab can ask for about its data: read a training or dev file (again with a column mapping when
// its header was not recognised) and re-preview the example when what it is tokenised with changes.
import type { ColumnMapping } from '../../../data/tasks/parse-task-file.ts';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import { TASK_FAMILIES } from '../../../data/tasks/task-types.ts';
import type { FinetuneInitChoice, TaskFileRole } from '../../../engine/protocol.ts';
import { sendCommand } from '../../engine-port.ts';
import { formatBytes } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { previewRequestOf } from './finetune-form.ts';

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
  const preview = previewRequestOf(get().finetuneForms[family]);
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

/** Re-previews a tab's example with its current settings, when it has a file to preview. */
export function refreshPreview(family: TaskFamily): void {
  const tab = get().tasks[family];
  if (tab.train.summary || tab.dev.summary) {
    sendCommand({ type: 'preview-task', family, preview: previewRequestOf(get().finetuneForms[family]) });
  }
}

/** Tabs that start from `init` re-preview (a new imported model, a pre-training run that paused or ended). */
export function refreshPreviews(init: FinetuneInitChoice): void {
  for (const family of TASK_FAMILIES) {
    if (get().finetuneForms[family].init === init) refreshPreview(family);
  }
}
