// Tasks slice: the data of the four task tabs (Classification, Entailment, Similarity, Multiple choice). Per
// tab: its training and dev files as the worker read them (or why not) and the preview of one example as the
// model sees it. Fine-tuning on that data (settings, runs, the imported checkpoint) is finetune-slice.ts.
import type { StateCreator } from 'zustand';
import { TASK_FAMILIES, type TaskFamily } from '../../data/tasks/task-types.ts';
import type { TaskFileRole, TaskFileSummary, TaskPreview } from '../../engine/protocol.ts';

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

export interface TaskTabState {
  train: TaskFileState;
  dev: TaskFileState;
  preview?: TaskPreview;
  previewError?: string;
}

export interface TasksSlice {
  tasks: Record<TaskFamily, TaskTabState>;
  taskFileReading: (family: TaskFamily, role: TaskFileRole, name: string) => void;
  taskFileLoaded: (summary: TaskFileSummary) => void;
  taskFileNeedsMapping: (family: TaskFamily, role: TaskFileRole, name: string, columns: string[]) => void;
  taskFileFailed: (family: TaskFamily, role: TaskFileRole, message: string) => void;
  taskPreviewed: (preview: TaskPreview) => void;
  taskPreviewFailed: (family: TaskFamily, message: string) => void;
}

const emptyFile = (): TaskFileState => ({ status: 'empty' });

const emptyTab = (): TaskTabState => ({ train: emptyFile(), dev: emptyFile() });

export const createTasksSlice: StateCreator<TasksSlice, [], [], TasksSlice> = (set) => {
  const updateTab = (family: TaskFamily, change: (tab: TaskTabState) => Partial<TaskTabState>) =>
    set((s) => ({ tasks: { ...s.tasks, [family]: { ...s.tasks[family], ...change(s.tasks[family]) } } }));
  const updateFile = (family: TaskFamily, role: TaskFileRole, change: (file: TaskFileState) => TaskFileState) =>
    updateTab(family, (tab) => ({ [role]: change(tab[role]) }));

  return {
    tasks: Object.fromEntries(TASK_FAMILIES.map((f) => [f, emptyTab()])) as Record<TaskFamily, TaskTabState>,
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
  };
};
