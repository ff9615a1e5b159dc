// Runs slice: every run this page knows (settings, state, latest metrics summary, samples, zero-shot probe
// rounds, checkpoint),
// the current run, and the runs saved in OPFS that can be resumed. Metric arrays live in metrics-buffer.ts;
// `metricsTick` only tells subscribers (charts) that they grew.
import type { StateCreator } from 'zustand';
import type { PretrainSettings, RunState, StepMetrics } from '../../engine/protocol.ts';
import type { ProbePoint } from '../../train/probes/zero-shot.ts';

export interface Sample {
  step: number;
  prompt: string;
  text: string;
}

export interface RunRecord {
  runId: string;
  settings: PretrainSettings;
  /** 'starting' until the worker's first run-state event. */
  state: RunState | 'starting';
  step: number;
  totalSteps: number;
  message?: string;
  latest?: StepMetrics;
  valLoss?: { step: number; value: number };
  msPerStep?: number;
  samples: Sample[];
  /** Zero-shot probe rounds, in step order (a round at a step replaces an earlier one at that step). */
  probes: ProbePoint[];
  /**
   * The probe sets the run was started with, as this page knew them at Start: its probe chart has their
   * series before the first round arrives (a round then only adds points, never rebuilds the chart).
   */
  probeSetNames: string[];
  checkpoint?: { step: number; bytes: number; at: number };
  /** Index into the series palette, fixed when the run is first seen, so its colour never changes. */
  colour: number;
  startedAt: number;
}

export interface SavedRun {
  runId: string;
  step: number;
  totalSteps: number;
  savedAt: string;
  settings: PretrainSettings;
  /** Bytes its folder takes (what deleting it frees), when the store says. */
  bytes?: number;
}

export interface RunsSlice {
  runs: Record<string, RunRecord>;
  runOrder: string[];
  currentRunId?: string;
  savedRuns: SavedRun[];
  metricsTick: number;
  runCreated: (runId: string, settings: PretrainSettings, step?: number, probeSetNames?: string[]) => void;
  runStateChanged: (runId: string, state: RunState, step: number, totalSteps: number, message?: string) => void;
  runMetricsFlushed: (updates: Record<string, { latest?: StepMetrics; msPerStep?: number }>) => void;
  runEvaluated: (runId: string, step: number, value: number) => void;
  runSampled: (runId: string, sample: Sample) => void;
  runProbed: (runId: string, point: ProbePoint) => void;
  runCheckpointed: (runId: string, step: number, bytes: number) => void;
  savedRunsListed: (runs: SavedRun[]) => void;
  selectRun: (runId: string) => void;
}

/** States in which a run holds the GPU and can be paused, resumed, stepped or stopped. */
export const ACTIVE_STATES: ReadonlySet<RunRecord['state']> = new Set([
  'starting',
  'preparing',
  'running',
  'pausing',
  'paused',
]);

/** How many samples a run keeps for its timeline. */
const MAX_SAMPLES = 200;

function blankRun(runId: string, settings: PretrainSettings, colour: number, step = 0): RunRecord {
  return {
    runId,
    settings,
    state: 'starting',
    step,
    totalSteps: settings.steps,
    samples: [],
    probes: [],
    probeSetNames: [],
    colour,
    startedAt: Date.now(),
  };
}

export const createRunsSlice: StateCreator<RunsSlice, [], [], RunsSlice> = (set, get) => {
  /**
   * Applies `change` to a run that exists (and bumps the charts' tick with `tick`, in the same update); events
   * for unknown runs create a record from a saved run if any.
   */
  const update = (runId: string, change: (run: RunRecord) => Partial<RunRecord>, tick = false) => {
    set((s) => {
      let run = s.runs[runId];
      let runOrder = s.runOrder;
      if (!run) {
        const saved = s.savedRuns.find((r) => r.runId === runId);
        if (!saved) return {};
        run = blankRun(runId, saved.settings, s.runOrder.length, saved.step);
        runOrder = [...runOrder, runId];
      }
      const runs = { ...s.runs, [runId]: { ...run, ...change(run) } };
      return tick ? { runs, runOrder, metricsTick: s.metricsTick + 1 } : { runs, runOrder };
    });
  };

  return {
    runs: {},
    runOrder: [],
    currentRunId: undefined,
    savedRuns: [],
    metricsTick: 0,
    runCreated: (runId, settings, step = 0, probeSetNames = []) =>
      set((s) => {
        const existing = s.runs[runId];
        const run = existing
          ? { ...existing, settings, state: 'starting' as const }
          : { ...blankRun(runId, settings, s.runOrder.length, step), probeSetNames };
        return {
          runs: { ...s.runs, [runId]: run },
          runOrder: existing ? s.runOrder : [...s.runOrder, runId],
          currentRunId: runId,
        };
      }),
    runStateChanged: (runId, state, step, totalSteps, message) => {
      update(runId, () => ({ state, step, totalSteps, message }));
      if (!get().currentRunId && get().runs[runId]) set({ currentRunId: runId });
    },
    runMetricsFlushed: (updates) =>
      set((s) => {
        const runs = { ...s.runs };
        for (const [runId, u] of Object.entries(updates)) {
          const run = runs[runId];
          if (!run) continue;
          runs[runId] = {
            ...run,
            latest: u.latest ?? run.latest,
            msPerStep: u.msPerStep ?? run.msPerStep,
            step: Math.max(run.step, u.latest?.step ?? 0),
          };
        }
        return { runs, metricsTick: s.metricsTick + 1 };
      }),
    runEvaluated: (runId, step, value) => update(runId, () => ({ valLoss: { step, value } })),
    runSampled: (runId, sample) =>
      update(runId, (run) => ({
        samples: [...run.samples.filter((x) => x.step !== sample.step), sample].slice(-MAX_SAMPLES),
      })),
    runProbed: (runId, point) =>
      update(
        runId,
        (run) => ({
          probes: [...run.probes.filter((p) => p.step !== point.step), point].sort((a, b) => a.step - b.step),
        }),
        true, // the probe charts redraw on the tick
      ),
    runCheckpointed: (runId, step, bytes) => update(runId, () => ({ checkpoint: { step, bytes, at: Date.now() } })),
    savedRunsListed: (savedRuns) => set({ savedRuns }),
    selectRun: (runId) => set({ currentRunId: runId }),
  };
};
