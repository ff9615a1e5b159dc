// Corpus slice: the pre-training text the worker holds (stats and preview only; the text stays in the worker).
import type { StateCreator } from 'zustand';
import type { CorpusStats } from '../../engine/protocol.ts';

export type CorpusState =
  | { status: 'empty' }
  | { status: 'loading'; name: string }
  | { status: 'ready'; stats: CorpusStats }
  | { status: 'error'; name: string };

export interface CorpusSlice {
  corpus: CorpusState;
  corpusLoading: (name: string) => void;
  corpusLoaded: (stats: CorpusStats) => void;
  corpusFailed: (name: string) => void;
}

export const createCorpusSlice: StateCreator<CorpusSlice, [], [], CorpusSlice> = (set, get) => ({
  corpus: { status: 'empty' },
  corpusLoading: (name) => set({ corpus: { status: 'loading', name } }),
  corpusLoaded: (stats) => set({ corpus: { status: 'ready', stats } }),
  // A refused file leaves the previous corpus in place when there was one: nothing else changed.
  corpusFailed: (name) => {
    const previous = get().corpus;
    if (previous.status === 'loading' || previous.status === 'empty') set({ corpus: { status: 'error', name } });
  },
});
