// Applies the worker's task-tab events to the tasks slice (the shell's bridge handles the rest), and ties
// the worker's 'error' events to the task input they concern: a file (requestId task:<family>:<role>), the
// preview, the checkpoint import, or a run (its runId). Those errors also reach the page's alert region
// through the shell; here they are re-targeted away from the pre-training inputs their `where` might match.
import type { EngineEvent } from '../../../engine/protocol.ts';
import { startEngine } from '../../engine-bridge.ts';
import { useAppStore } from '../../store/index.ts';
import { TASK_FAMILIES } from '../../store/tasks-slice.ts';
import { onTaskFileNeedsMapping, refreshPreviews } from './task-actions.ts';
import { appendTaskPoints, scheduleRedraw } from './task-buffers.ts';

const TASK_REQUEST = /^task:([a-z-]+):(train|dev|preview|checkpoint)$|^task:checkpoint$/;

let subscribed = false;

/** Listens to the worker once per page (the four tabs share it). */
export function watchTaskEvents(): void {
  if (subscribed) return;
  subscribed = true;
  startEngine().subscribe(applyTaskEvent);
}

/** Where a comparison variant's points go, so each variant keeps its own curve. */
export function pointsKey(runId: string, variant?: string): string {
  return variant ? `${runId}/${variant}` : runId;
}

export function applyTaskEvent(event: EngineEvent): void {
  const s = useAppStore.getState();
  switch (event.type) {
    case 'task-file-loaded':
      s.taskFileLoaded(event.summary);
      break;
    case 'task-file-needs-mapping':
      s.taskFileNeedsMapping(event.family, event.role, event.name, event.columns);
      onTaskFileNeedsMapping(event.family, event.role, event.columns);
      break;
    case 'task-preview':
      s.taskPreviewed(event.preview);
      break;
    case 'checkpoint-imported':
      s.importDone(event.info);
      refreshPreviews('imported');
      break;
    case 'run-state':
      // The pre-training run paused or ended: "current pretrained model" previews can use its tokenizer now.
      if (event.state === 'paused' || event.state === 'stopped' || event.state === 'done') refreshPreviews('current');
      break;
    case 'finetune-state':
      s.updateTaskRun(event.runId, () => ({
        state: event.state,
        step: event.step,
        totalSteps: event.totalSteps,
        variant: event.variant,
        message: event.message,
      }));
      break;
    case 'finetune-started':
      // A comparison's total (all variants) comes with its finetune-state events.
      s.updateTaskRun(event.runId, (run) => ({
        info: event.info,
        variant: event.variant,
        totalSteps: run.kind === 'compare' ? run.totalSteps : event.info.totalSteps,
      }));
      break;
    case 'finetune-metrics': {
      appendTaskPoints(pointsKey(event.runId, event.variant), event.points);
      const last = event.points.at(-1);
      if (last) {
        s.updateTaskRun(event.runId, (run) => ({
          step: run.kind === 'compare' ? compareStep(run.rows.length, run.info?.totalSteps ?? 0, last.step) : last.step,
        }));
      }
      break;
    }
    case 'finetune-eval':
      s.updateTaskRun(event.runId, (run) => ({
        evals: run.kind === 'finetune' || run.variant === event.variant ? [...run.evals, event.eval] : run.evals,
      }));
      scheduleRedraw();
      break;
    case 'finetune-done':
      if (!event.variant) s.updateTaskRun(event.runId, () => ({ summary: event.summary }));
      break;
    case 'compare-row':
      s.updateTaskRun(event.runId, (run) => ({ rows: [...run.rows, event.row], evals: [] }));
      break;
    case 'compare-done':
      break;
    case 'error':
      applyTaskError(event);
      break;
  }
}

function compareStep(variantsDone: number, perVariant: number, step: number): number {
  return variantsDone * perVariant + step;
}

function applyTaskError(event: Extract<EngineEvent, { type: 'error' }>): void {
  const s = useAppStore.getState();
  const request = event.requestId ? TASK_REQUEST.exec(event.requestId) : null;
  const run = event.runId ? s.taskRuns[event.runId] : undefined;
  if (!request && !run) return;
  // Keep it in the page's alert region, but not beside the Pretrain tab's inputs.
  useAppStore.setState((state) => ({
    errors: state.errors.map((e) =>
      e.message === event.message && e.where === event.where ? { ...e, target: 'other' as const } : e,
    ),
  }));
  if (event.requestId === 'task:checkpoint') {
    s.importFailed(event.message);
    return;
  }
  if (request) {
    const family = TASK_FAMILIES.find((f) => f === request[1]);
    const what = request[2];
    if (!family) return;
    if (what === 'train' || what === 'dev') s.taskFileFailed(family, what, event.message);
    else if (what === 'preview') s.taskPreviewFailed(family, event.message);
    return;
  }
  if (run) {
    // A start the worker refused never gets a finetune-state: the run fails here, naming the field.
    s.updateTaskRun(run.runId, (r) => ({
      state: r.state === 'starting' ? 'error' : r.state,
      message: event.message,
      problems: { ...r.problems, [event.where]: event.message },
    }));
  }
}
