// Chart settings shared by every chart (TensorBoard style): the smoothing weight and per-chart log scale.
import type { StateCreator } from 'zustand';

export interface ChartSlice {
  smoothing: number;
  logY: Record<string, boolean>;
  setSmoothing: (weight: number) => void;
  setLogY: (chartId: string, on: boolean) => void;
}

export const createChartSlice: StateCreator<ChartSlice, [], [], ChartSlice> = (set) => ({
  smoothing: 0.6,
  logY: {},
  setSmoothing: (weight) => set({ smoothing: Math.min(0.99, Math.max(0, weight)) }),
  setLogY: (chartId, on) => set((s) => ({ logY: { ...s.logY, [chartId]: on } })),
});
