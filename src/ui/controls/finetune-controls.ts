// A task tab's run controls: Train, Pause/Resume (at a step boundary, a checkpoint saved there) and Stop for
// its fine-tuning run, Compare and Stop comparison for the paper's ablation (the same data, schedule and seed
// from several starts). One set per task family.
import type { TaskFamily } from '../../data/tasks/task-types.ts';
import { TASK_FAMILIES } from '../../data/tasks/task-types.ts';
import { sendCommand } from '../engine-port.ts';
import type { FinetuneRun } from '../store/finetune-slice.ts';
import type { AppState } from '../store/index.ts';
import { parseCompareForm } from '../tabs/tasks/compare-form.ts';
import { ACTIVE_FINETUNE_STATES, activeFinetuneRun, finetuneStartBlockers } from '../tabs/tasks/finetune-actions.ts';
import { parseFinetuneForm } from '../tabs/tasks/finetune-form.ts';
import { DISABLED, ENABLED, type RunControl, unlessBlocked } from './run-control.ts';

type Kind = FinetuneRun['kind'];

const SHORT: Record<TaskFamily, string> = {
  classification: 'cls',
  entailment: 'ent',
  similarity: 'sim',
  'multiple-choice': 'mc',
};

/** The tab's latest run of this kind. */
export function latestRun(s: AppState, family: TaskFamily, kind: Kind): FinetuneRun | undefined {
  const runId = s.latestFinetune[family][kind];
  return runId ? s.finetuneRuns[runId] : undefined;
}

function start(family: TaskFamily, kind: Kind, s: AppState): void {
  const { settings } = parseFinetuneForm(family, s.finetuneForms[family]);
  const runId = `${SHORT[family]}-${kind === 'compare' ? 'cmp' : 'ft'}-${Date.now().toString(36).slice(-6)}`;
  const tab = s.tasks[family];
  s.finetuneRunCreated(runId, family, kind, { train: tab.train.summary?.name, dev: tab.dev.summary?.name });
  if (kind === 'compare') {
    const { compare } = parseCompareForm(s.finetuneForms[family]);
    sendCommand({ type: 'compare', runId, settings, compare });
  } else {
    sendCommand({ type: 'start-finetune', runId, settings });
  }
}

function stopControl(family: TaskFamily, kind: Kind, label: string): RunControl {
  const run = (s: AppState) => latestRun(s, family, kind);
  return {
    id: `stop-${kind}`,
    label,
    icon: 'stop',
    tone: 'danger',
    guard: (s) => {
      const state = run(s)?.state;
      return state && ACTIVE_FINETUNE_STATES.has(state) ? ENABLED : DISABLED;
    },
    perform: (s) => sendCommand({ type: 'stop-finetune', runId: run(s)!.runId }),
  };
}

function pauseControl(family: TaskFamily): RunControl {
  const run = (s: AppState) => latestRun(s, family, 'finetune');
  const canResume = (s: AppState) => run(s)?.state === 'paused' || run(s)?.state === 'pausing';
  return {
    id: 'pause-finetune',
    label: (s) => (canResume(s) ? 'Resume' : 'Pause'),
    icon: (s) => (canResume(s) ? 'play' : 'pause'),
    guard: (s) => (run(s)?.state === 'running' || canResume(s) ? ENABLED : DISABLED),
    perform: (s) => sendCommand({ type: canResume(s) ? 'resume-finetune' : 'pause-finetune', runId: run(s)!.runId }),
  };
}

function controlsFor(family: TaskFamily): Record<Kind, RunControl[]> {
  // While any fine-tuning run is active, "a fine-tuning run is in progress" is plain to see: no hint for it.
  const guard = (kind: Kind) => (s: AppState) =>
    unlessBlocked(finetuneStartBlockers(family, kind, s), Boolean(activeFinetuneRun(s)));
  return {
    finetune: [
      {
        id: 'train',
        label: 'Train',
        icon: 'play',
        tone: 'primary',
        guard: guard('finetune'),
        perform: (s) => start(family, 'finetune', s),
      },
      pauseControl(family),
      stopControl(family, 'finetune', 'Stop'),
    ],
    compare: [
      { id: 'compare', label: 'Compare', guard: guard('compare'), perform: (s) => start(family, 'compare', s) },
      stopControl(family, 'compare', 'Stop comparison'),
    ],
  };
}

const CONTROLS = Object.fromEntries(TASK_FAMILIES.map((f) => [f, controlsFor(f)])) as Record<
  TaskFamily,
  Record<Kind, RunControl[]>
>;

/** The controls of a task tab's fine-tuning run ('finetune': Train, Pause/Resume, Stop) or comparison ('compare'). */
export function finetuneControls(family: TaskFamily, kind: Kind): readonly RunControl[] {
  return CONTROLS[family][kind];
}
