// Applies the engine's events for the task tabs to the store: task files and previews (tasks slice), the
// imported checkpoint, and fine-tuning runs and comparisons (fine-tuning slice; step points to
// finetune-buffers.ts). apply-event.ts routes them here, and the errors that concern a task tab's input or a
// fine-tuning run.

import { TASK_FAMILIES } from '../../data/tasks/task-types.ts';
import type { EngineEvent } from '../../engine/protocol.ts';
import { appendFinetunePoints, pointsKey, scheduleRedraw } from './finetune-buffers.ts';
import { useAppStore } from './index.ts';

/** The events this file applies. */
export type TaskTabEvent = Extract<
  EngineEvent,
  {
    type:
      | 'task-file-loaded'
      | 'task-file-needs-mapping'
      | 'task-preview'
      | 'checkpoint-imported'
      | 'finetune-state'
      | 'finetune-started'
      | 'finetune-metrics'
      | 'finetune-eval'
      | 'finetune-done'
      | 'compare-plan'
      | 'compare-row'
      | 'compare-done';
  }
>;

type ErrorEvent = Extract<EngineEvent, { type: 'error' }>;

/** The requestId of a task input's work: a file (task:<family>:<role>), the preview, or the import. */
const TASK_REQUEST = /^task:([a-z-]+):(train|dev|preview|checkpoint)$|^task:checkpoint$/;

export function applyTaskTabEvent(event: TaskTabEvent): void {
  const s = useAppStore.getState();
  switch (event.type) {
    case 'task-file-loaded':
      s.taskFileLoaded(event.summary);
      break;
    case 'task-file-needs-mapping':
      s.taskFileNeedsMapping(event.family, event.role, event.name, event.columns);
      break;
    case 'task-preview':
      s.taskPreviewed(event.preview);
      break;
    case 'checkpoint-imported':
      s.importDone(event.info);
      break;
    case 'finetune-state':
      s.updateFinetuneRun(event.runId, () => ({
        state: event.state,
        step: event.step,
        totalSteps: event.totalSteps,
        variant: event.variant,
        message: event.message,
      }));
      break;
    case 'finetune-started':
      // A comparison's total (all variants) comes with its finetune-state events.
      s.updateFinetuneRun(event.runId, (run) => ({
        info: event.info,
        variant: event.variant,
        totalSteps: run.kind === 'compare' ? run.totalSteps : event.info.totalSteps,
      }));
      break;
    case 'finetune-metrics': {
      appendFinetunePoints(pointsKey(event.runId, event.variant), event.points);
      const last = event.points.at(-1);
      if (last) {
        s.updateFinetuneRun(event.runId, (run) => ({
          step: run.kind === 'compare' ? compareStep(run.rows.length, run.info?.totalSteps ?? 0, last.step) : last.step,
        }));
      }
      break;
    }
    case 'finetune-eval':
      s.updateFinetuneRun(event.runId, (run) => ({
        evals: run.kind === 'finetune' || run.variant === event.variant ? [...run.evals, event.eval] : run.evals,
      }));
      scheduleRedraw();
      break;
    case 'finetune-done':
      if (!event.variant) s.updateFinetuneRun(event.runId, () => ({ summary: event.summary }));
      break;
    case 'compare-plan':
      s.updateFinetuneRun(event.runId, () => ({ plan: event.plan }));
      break;
    case 'compare-row':
      s.updateFinetuneRun(event.runId, (run) => ({ rows: [...run.rows, event.row], evals: [] }));
      break;
    case 'compare-done':
      break;
  }
}

function compareStep(variantsDone: number, perVariant: number, step: number): number {
  return variantsDone * perVariant + step;
}

/** Whether an error concerns a task tab's input or a fine-tuning run (rather than pre-training). */
export function isTaskTabError(event: ErrorEvent): boolean {
  const request = event.requestId ? TASK_REQUEST.test(event.requestId) : false;
  return request || (event.runId !== undefined && event.runId in useAppStore.getState().finetuneRuns);
}

/** Ties an error to the task tab's input or the fine-tuning run it concerns (see isTaskTabError). */
export function applyTaskTabError(event: ErrorEvent): void {
  const s = useAppStore.getState();
  if (event.requestId === 'task:checkpoint') {
    s.importFailed(event.message);
    return;
  }
  const request = event.requestId ? TASK_REQUEST.exec(event.requestId) : null;
  if (request) {
    const family = TASK_FAMILIES.find((f) => f === request[1]);
    const what = request[2];
    if (!family) return;
    if (what === 'train' || what === 'dev') s.taskFileFailed(family, what, event.message);
    else if (what === 'preview') s.taskPreviewFailed(family, event.message);
    return;
  }
  const run = event.runId ? s.finetuneRuns[event.runId] : undefined;
  if (run) {
    // A start the worker refused never gets a finetune-state: the run fails here, naming the field.
    s.updateFinetuneRun(run.runId, (r) => ({
      state: r.state === 'starting' ? 'error' : r.state,
      message: event.message,
      problems: { ...r.problems, [event.where]: event.message },
    }));
  }
}
