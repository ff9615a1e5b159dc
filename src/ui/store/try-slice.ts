// Try-it slice: per task tab, the latest example tried on a fine-tuned model: which model, which of its
// sequences the attention shows, and the answer (probabilities or score, the input as the model sees it, the
// attention maps) or why it failed. The typed example lives in the form's own state.
import type { StateCreator } from 'zustand';
import { TASK_FAMILIES, type TaskFamily } from '../../data/tasks/task-types.ts';
import type { TryInput, TryOutcome } from '../../engine/protocol.ts';

export interface TryState {
  status: 'idle' | 'running' | 'done' | 'error';
  requestId?: string;
  runId?: string;
  input?: TryInput;
  outcome?: TryOutcome;
  error?: string;
}

export interface TrySlice {
  tries: Record<TaskFamily, TryState>;
  tryRequested: (family: TaskFamily, requestId: string, runId: string, input: TryInput) => void;
  tryReceived: (requestId: string, outcome: TryOutcome) => void;
  tryFailed: (requestId: string, message: string) => void;
}

const blank = () =>
  Object.fromEntries(TASK_FAMILIES.map((f) => [f, { status: 'idle' }])) as Record<TaskFamily, TryState>;

/** The family whose latest request is `requestId` (an older answer is dropped). */
function familyOf(tries: Record<TaskFamily, TryState>, requestId: string): TaskFamily | undefined {
  return TASK_FAMILIES.find((f) => tries[f].requestId === requestId);
}

export const createTrySlice: StateCreator<TrySlice, [], [], TrySlice> = (set) => ({
  tries: blank(),
  tryRequested: (family, requestId, runId, input) =>
    set((s) => ({
      tries: { ...s.tries, [family]: { ...s.tries[family], status: 'running', requestId, runId, input } },
    })),
  tryReceived: (requestId, outcome) =>
    set((s) => {
      const family = familyOf(s.tries, requestId);
      if (!family) return {};
      return { tries: { ...s.tries, [family]: { ...s.tries[family], status: 'done', outcome, error: undefined } } };
    }),
  tryFailed: (requestId, error) =>
    set((s) => {
      const family = familyOf(s.tries, requestId);
      if (!family) return {};
      return { tries: { ...s.tries, [family]: { ...s.tries[family], status: 'error', error } } };
    }),
});
