// Attention slice: the text to inspect, the maps the worker returned ([layers, heads, T, T]) and the view's
// selection (the enlarged head, the head view's layer and heads), and which model they come from: the current
// pre-training run, or another model of the list (model-list.ts; a fine-tuned model's maps carry the extract
// token's position); and the live snapshots taken every N steps while a run pre-trains or fine-tunes, with the
// one shown.
import type { StateCreator } from 'zustand';

export interface AttentionMaps {
  runId: string;
  tokens: string[];
  layers: number;
  heads: number;
  /** [layers, heads, T, T] probabilities, row-major (row = query, column = key). */
  data: Float32Array;
  /** The model they come from, in words, when it is not the current pre-training run. */
  source?: string;
  /** A fine-tuning run's live snapshot: that run (its snapshots are its own list). */
  finetuneRunId?: string;
  /** A fine-tuned model's maps: the extract token's position (the last token). */
  extractIndex?: number;
  /** A live snapshot's step (maps taken while the run trained). */
  step?: number;
}

/** Live snapshots kept per run; beyond it, every other older one is dropped (the first and the latest stay). */
export const MAX_SNAPSHOTS = 64;

export type ColourScale = 'sqrt' | 'linear';

export const DEFAULT_ATTENTION_TEXT = 'The quick brown fox jumps over the lazy dog.';

export interface AttentionSlice {
  attention: {
    text: string;
    /** The model to inspect (a model-list key); absent: the current pre-training run. */
    modelKey?: string;
    requestId?: string;
    /** The model of the pending request, in words, when it is not the current pre-training run. */
    requestSource?: string;
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
    /** Live attention: maps of the text every `liveEvery` steps while a run trains (0: off). */
    liveEvery: number;
    /** The live snapshots of one run, in step order. */
    snapshots: AttentionMaps[];
    /** The snapshot shown; undefined: the latest, as it arrives. */
    snapshotIndex?: number;
  };
  setAttentionText: (text: string) => void;
  setAttentionModel: (modelKey: string | undefined) => void;
  attentionRequested: (requestId: string, runId: string, source?: string) => void;
  attentionReceived: (requestId: string, maps: Omit<AttentionMaps, 'runId' | 'source'>) => void;
  attentionFailed: (requestId: string) => void;
  focusHead: (layer: number, head: number) => void;
  setHeadViewLayer: (layer: number) => void;
  toggleHead: (head: number) => void;
  setColourScale: (scale: ColourScale) => void;
  setLiveAttention: (every: number) => void;
  attentionSnapshot: (maps: AttentionMaps & { step: number }) => void;
  /** Shows snapshot `index`; undefined follows the latest. */
  showSnapshot: (index: number | undefined) => void;
}

type AttentionState = AttentionSlice['attention'];

/** The view with `maps` shown: the selection kept where it still exists. */
function showing(a: AttentionState, maps: AttentionMaps): AttentionState {
  const clamp = (value: number, n: number) => Math.min(Math.max(0, value), n - 1);
  return {
    ...a,
    status: 'ready',
    maps,
    focus: { layer: clamp(a.focus.layer, maps.layers), head: clamp(a.focus.head, maps.heads) },
    headViewLayer: clamp(a.headViewLayer, maps.layers),
    hiddenHeads: a.hiddenHeads.filter((h) => h < maps.heads),
  };
}

/** Whether two snapshots come from the same run (a pre-training and a fine-tuning run may share a name). */
const sameRun = (a: AttentionMaps, b: AttentionMaps) => a.runId === b.runId && a.finetuneRunId === b.finetuneRunId;

/** The run's snapshots with `next` added, thinned to MAX_SNAPSHOTS (a new run starts a new list). */
function keepSnapshot(list: AttentionMaps[], next: AttentionMaps): AttentionMaps[] {
  const same = list.length && sameRun(list[0]!, next) ? list.filter((m) => m.step !== next.step) : [];
  const all = [...same, next];
  if (all.length <= MAX_SNAPSHOTS) return all;
  const older = all.slice(1, -1).filter((_, i) => i % 2 === 1);
  return [all[0]!, ...older, all.at(-1)!];
}

export const createAttentionSlice: StateCreator<AttentionSlice, [], [], AttentionSlice> = (set) => ({
  attention: {
    text: DEFAULT_ATTENTION_TEXT,
    status: 'idle',
    focus: { layer: 0, head: 0 },
    headViewLayer: 0,
    hiddenHeads: [],
    scale: 'sqrt',
    liveEvery: 0,
    snapshots: [],
  },
  setAttentionText: (text) => set((s) => ({ attention: { ...s.attention, text } })),
  setAttentionModel: (modelKey) => set((s) => ({ attention: { ...s.attention, modelKey } })),
  attentionRequested: (requestId, runId, source) =>
    set((s) => ({
      attention: { ...s.attention, requestId, runId, requestSource: source, status: 'waiting' },
    })),
  attentionReceived: (requestId, maps) =>
    set((s) => {
      if (s.attention.requestId !== requestId) return {};
      const a = s.attention;
      const shown = {
        ...maps,
        runId: a.runId ?? '',
        ...(a.requestSource !== undefined ? { source: a.requestSource } : {}),
      };
      return { attention: showing(a, shown) };
    }),
  attentionFailed: (requestId) =>
    set((s) => (s.attention.requestId === requestId ? { attention: { ...s.attention, status: 'error' } } : {})),
  setLiveAttention: (liveEvery) => set((s) => ({ attention: { ...s.attention, liveEvery } })),
  attentionSnapshot: (maps) =>
    set((s) => {
      const a = s.attention;
      const snapshots = keepSnapshot(a.snapshots, maps);
      // Shown as it arrives when the view follows the latest and no other model is picked: a pre-training
      // snapshot while the current run is, a fine-tuning run's while it (or the current run) is.
      const picked =
        a.modelKey === undefined ||
        (maps.finetuneRunId !== undefined && a.modelKey === `finetune:${maps.finetuneRunId}`);
      const follow = a.snapshotIndex === undefined && picked && a.status !== 'waiting';
      return { attention: follow ? showing({ ...a, snapshots }, maps) : { ...a, snapshots } };
    }),
  showSnapshot: (index) =>
    set((s) => {
      const a = s.attention;
      const maps = a.snapshots[index ?? a.snapshots.length - 1];
      return { attention: maps ? showing({ ...a, snapshotIndex: index }, maps) : { ...a, snapshotIndex: index } };
    }),
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
