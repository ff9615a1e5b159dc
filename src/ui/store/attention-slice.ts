// Attention slice: the text to inspect, the maps the worker returned ([layers, heads, T, T]) and the view's
// selection (the enlarged head, the head view's layer and heads), and which model they come from: the current
// pre-training run, or a finished fine-tuning run (whose maps carry the extract token's position).
import type { StateCreator } from 'zustand';

export interface AttentionMaps {
  runId: string;
  tokens: string[];
  layers: number;
  heads: number;
  /** [layers, heads, T, T] probabilities, row-major (row = query, column = key). */
  data: Float32Array;
  /** A fine-tuned model's maps: its fine-tuning run and the extract token's position (the last token). */
  finetuneRunId?: string;
  extractIndex?: number;
}

export type ColourScale = 'sqrt' | 'linear';

export const DEFAULT_ATTENTION_TEXT = 'The quick brown fox jumps over the lazy dog.';

export interface AttentionSlice {
  attention: {
    text: string;
    /** The fine-tuning run whose model to inspect; absent: the current pre-training run. */
    finetuneRunId?: string;
    requestId?: string;
    /** The fine-tuning run of the pending request. */
    requestFinetuneRunId?: string;
    runId?: string;
    status: 'idle' | 'waiting' | 'ready' | 'error';
    maps?: AttentionMaps;
    /** The head shown enlarged. */
    focus: { layer: number; head: number };
    /** The head view's layer and which heads it draws. */
    headViewLayer: number;
    hiddenHeads: number[];
    /** Colour scale of the heatmaps: square root lifts small weights next to the first tokens' 1.0s. */
    scale: ColourScale;
  };
  setAttentionText: (text: string) => void;
  setAttentionModel: (finetuneRunId: string | undefined) => void;
  attentionRequested: (requestId: string, runId: string, finetuneRunId?: string) => void;
  attentionReceived: (requestId: string, maps: Omit<AttentionMaps, 'runId' | 'finetuneRunId'>) => void;
  attentionFailed: (requestId: string) => void;
  focusHead: (layer: number, head: number) => void;
  setHeadViewLayer: (layer: number) => void;
  toggleHead: (head: number) => void;
  setColourScale: (scale: ColourScale) => void;
}

export const createAttentionSlice: StateCreator<AttentionSlice, [], [], AttentionSlice> = (set) => ({
  attention: {
    text: DEFAULT_ATTENTION_TEXT,
    status: 'idle',
    focus: { layer: 0, head: 0 },
    headViewLayer: 0,
    hiddenHeads: [],
    scale: 'sqrt',
  },
  setAttentionText: (text) => set((s) => ({ attention: { ...s.attention, text } })),
  setAttentionModel: (finetuneRunId) => set((s) => ({ attention: { ...s.attention, finetuneRunId } })),
  attentionRequested: (requestId, runId, finetuneRunId) =>
    set((s) => ({
      attention: { ...s.attention, requestId, runId, requestFinetuneRunId: finetuneRunId, status: 'waiting' },
    })),
  attentionReceived: (requestId, maps) =>
    set((s) => {
      if (s.attention.requestId !== requestId) return {};
      const a = s.attention;
      const clamp = (value: number, n: number) => Math.min(Math.max(0, value), n - 1);
      return {
        attention: {
          ...a,
          status: 'ready',
          maps: {
            ...maps,
            runId: a.runId ?? '',
            ...(a.requestFinetuneRunId !== undefined ? { finetuneRunId: a.requestFinetuneRunId } : {}),
          },
          focus: { layer: clamp(a.focus.layer, maps.layers), head: clamp(a.focus.head, maps.heads) },
          headViewLayer: clamp(a.headViewLayer, maps.layers),
          hiddenHeads: a.hiddenHeads.filter((h) => h < maps.heads),
        },
      };
    }),
  attentionFailed: (requestId) =>
    set((s) => (s.attention.requestId === requestId ? { attention: { ...s.attention, status: 'error' } } : {})),
  focusHead: (layer, head) => set((s) => ({ attention: { ...s.attention, focus: { layer, head } } })),
  setColourScale: (scale) => set((s) => ({ attention: { ...s.attention, scale } })),
  setHeadViewLayer: (headViewLayer) => set((s) => ({ attention: { ...s.attention, headViewLayer } })),
  toggleHead: (head) =>
    set((s) => {
      const hidden = s.attention.hiddenHeads;
      return {
        attention: {
          ...s.attention,
          hiddenHeads: hidden.includes(head) ? hidden.filter((h) => h !== head) : [...hidden, head],
        },
      };
    }),
});
