// Tokenizer slice: which tokenizer the user chose (or the imported model's), and the worker's progress and
// stats for it.
import type { StateCreator } from 'zustand';
import type { PretrainTokenizerChoice, TokenizerStats } from '../../engine/protocol.ts';

/** 'model': the imported model's tokenizer, and its weights for the run. */
export type TokenizerKind = PretrainTokenizerChoice['kind'];

export interface TokenizerSlice {
  tokenizer: {
    kind: TokenizerKind;
    /** The BPE vocabulary size as typed (validated before it is sent). */
    bpeVocab: string;
    status: 'idle' | 'building' | 'ready' | 'error';
    progress?: { done: number; total: number };
    stats?: TokenizerStats;
    /** GPT-1's vocabulary and merges files, read from the user's disk (the app does not ship them). */
    gpt1Files?: { name: string; text: string }[];
  };
  setTokenizerKind: (kind: TokenizerKind) => void;
  setBpeVocab: (text: string) => void;
  setGpt1Files: (files: { name: string; text: string }[]) => void;
  tokenizerBuilding: () => void;
  tokenizerProgress: (done: number, total: number) => void;
  tokenizerReady: (stats: TokenizerStats) => void;
  tokenizerFailed: () => void;
}

export const BPE_VOCAB_MIN = 260;
export const BPE_VOCAB_MAX = 65536;

/** The choice to send, or a message saying what is wrong with the typed vocabulary size. */
export function tokenizerChoice(kind: TokenizerKind, bpeVocab: string): PretrainTokenizerChoice | string {
  if (kind === 'char' || kind === 'gpt1' || kind === 'model') return { kind };
  const n = Number(bpeVocab);
  if (!Number.isInteger(n) || n < BPE_VOCAB_MIN || n > BPE_VOCAB_MAX) {
    return `Vocabulary size must be a whole number from ${BPE_VOCAB_MIN} to ${BPE_VOCAB_MAX}.`;
  }
  return { kind: 'bpe', vocabSize: n };
}

export const createTokenizerSlice: StateCreator<TokenizerSlice, [], [], TokenizerSlice> = (set) => ({
  tokenizer: { kind: 'char', bpeVocab: '1024', status: 'idle' },
  setTokenizerKind: (kind) => set((s) => ({ tokenizer: { ...s.tokenizer, kind } })),
  setBpeVocab: (bpeVocab) => set((s) => ({ tokenizer: { ...s.tokenizer, bpeVocab } })),
  setGpt1Files: (gpt1Files) => set((s) => ({ tokenizer: { ...s.tokenizer, gpt1Files } })),
  tokenizerBuilding: () =>
    set((s) => ({ tokenizer: { ...s.tokenizer, status: 'building', progress: undefined, stats: undefined } })),
  tokenizerProgress: (done, total) =>
    set((s) => ({ tokenizer: { ...s.tokenizer, status: 'building', progress: { done, total } } })),
  tokenizerReady: (stats) =>
    set((s) => ({
      tokenizer: {
        ...s.tokenizer,
        status: 'ready',
        progress: undefined,
        stats,
        kind: stats.model ? 'model' : stats.kind,
      },
    })),
  tokenizerFailed: () => set((s) => ({ tokenizer: { ...s.tokenizer, status: 'error', progress: undefined } })),
});
