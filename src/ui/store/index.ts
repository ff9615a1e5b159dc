// The one zustand store, made of slices. Engine events reach it through the bridge in engine-bridge.ts,
// which calls applyEngineEvent; metric points go to metrics-buffer.ts and only a tick reaches the store.
import { create } from 'zustand';
import { type AttentionSlice, createAttentionSlice } from './attention-slice.ts';
import { type ChartSlice, createChartSlice } from './chart-slice.ts';
import { type CorpusSlice, createCorpusSlice } from './corpus-slice.ts';
import { createDeviceSlice, type DeviceSlice } from './device-slice.ts';
import { createErrorsSlice, type ErrorsSlice } from './errors-slice.ts';
import { createFinetuneSlice, type FinetuneSlice } from './finetune-slice.ts';
import { createGenerationSlice, type GenerationSlice } from './generation-slice.ts';
import { createPlanSlice, type PlanSlice } from './plan-slice.ts';
import { createProbeFilesSlice, type ProbeFilesSlice } from './probe-files-slice.ts';
import { createRunsSlice, type RunsSlice } from './runs-slice.ts';
import { createTasksSlice, type TasksSlice } from './tasks-slice.ts';
import { createTokenizerSlice, type TokenizerSlice } from './tokenizer-slice.ts';
import { createTrySlice, type TrySlice } from './try-slice.ts';
import { createUiSlice, type UiSlice } from './ui-slice.ts';

export type AppState = DeviceSlice &
  UiSlice &
  CorpusSlice &
  TokenizerSlice &
  PlanSlice &
  ProbeFilesSlice &
  RunsSlice &
  GenerationSlice &
  AttentionSlice &
  ErrorsSlice &
  ChartSlice &
  TasksSlice &
  FinetuneSlice &
  TrySlice;

export const useAppStore = create<AppState>()((...args) => ({
  ...createDeviceSlice(...args),
  ...createUiSlice(...args),
  ...createCorpusSlice(...args),
  ...createTokenizerSlice(...args),
  ...createPlanSlice(...args),
  ...createProbeFilesSlice(...args),
  ...createRunsSlice(...args),
  ...createGenerationSlice(...args),
  ...createAttentionSlice(...args),
  ...createErrorsSlice(...args),
  ...createChartSlice(...args),
  ...createTasksSlice(...args),
  ...createFinetuneSlice(...args),
  ...createTrySlice(...args),
}));
