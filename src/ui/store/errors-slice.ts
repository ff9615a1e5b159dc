// Errors slice: failures reported by the worker ('error' events) or found on this side (a refused file),
// each tied to the input it concerns through `where`, shown next to that input and in the alert region.
import type { StateCreator } from 'zustand';

/** The inputs an error can point at; the worker's `where` text is mapped onto one of these. */
export type ErrorTarget =
  | 'corpus'
  | 'probes'
  | 'tokenizer'
  | 'model'
  | 'training'
  | 'run'
  | 'generate'
  | 'attention'
  | 'other';

export interface UiError {
  id: number;
  target: ErrorTarget;
  where: string;
  message: string;
  runId?: string;
  requestId?: string;
  at: number;
}

const TARGET_WORDS: [ErrorTarget, RegExp][] = [
  ['training', /sample-?every|sample-?prompt|eval-?every/],
  ['generate', /generat|temperature|top-?k|max-?tokens|^prompt$/],
  ['corpus', /corpus|file|upload|drop/],
  ['tokenizer', /token|vocab|bpe|merges/],
  ['attention', /attention/],
  ['model', /plan|config|model|layer|embd|dims|head|context|positions|memory/],
  ['training', /batch|^b$|^t$|^lr$|learning|steps|seed|settings/],
  ['run', /run|start|pause|resume|stop|step|checkpoint|train/],
];

/** Maps the worker's `where` (a field or input name) onto the input it concerns. */
export function errorTarget(where: string): ErrorTarget {
  const w = where.toLowerCase();
  for (const [target, pattern] of TARGET_WORDS) if (pattern.test(w)) return target;
  return 'other';
}

export interface ErrorsSlice {
  errors: UiError[];
  pushError: (error: Omit<UiError, 'id' | 'at' | 'target'> & { target?: ErrorTarget }) => void;
  dismissError: (id: number) => void;
  clearErrors: (target: ErrorTarget) => void;
}

let nextId = 1;
const MAX_ERRORS = 20;

export const createErrorsSlice: StateCreator<ErrorsSlice, [], [], ErrorsSlice> = (set) => ({
  errors: [],
  pushError: (error) =>
    set((s) => ({
      errors: [
        ...s.errors,
        { ...error, target: error.target ?? errorTarget(error.where), id: nextId++, at: Date.now() },
      ].slice(-MAX_ERRORS),
    })),
  dismissError: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),
  clearErrors: (target) =>
    set((s) =>
      s.errors.some((e) => e.target === target) ? { errors: s.errors.filter((e) => e.target !== target) } : {},
    ),
});
