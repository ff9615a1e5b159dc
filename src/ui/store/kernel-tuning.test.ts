// The kernel-tuning choice in the store and the status line the device panel shows for each engine report.
import { beforeEach, describe, expect, it } from 'vitest';
import { kernelTuningText } from '../components/KernelTuningToggle.tsx';
import { applyEngineEvent } from './apply-event.ts';
import { useAppStore } from './index.ts';

const initial = useAppStore.getState();
beforeEach(() => useAppStore.setState(initial, true));

const report = (shapes: number, timedShapes: number, seconds: number, enabled = true) =>
  applyEngineEvent({ type: 'kernel-tuning', enabled, shapes, timedShapes, seconds });
const line = () => kernelTuningText(useAppStore.getState().kernelTuning);

describe('kernel tuning', () => {
  it('is on by default (no saved choice here) and shows each report in words', () => {
    expect(useAppStore.getState().kernelTuning).toEqual({ enabled: true });
    expect(line()).toBe('Matmul kernels: tuned when a model is first compiled.');
    report(0, 0, 0);
    expect(line()).toBe('Matmul kernels: tuned when a model is first compiled.');
    report(13, 13, 11.84);
    expect(line()).toBe('Matmul kernels: 13 shapes timed on this GPU in 11.8 s.');
    report(1, 1, 0.042);
    expect(line()).toBe('Matmul kernels: 1 shape timed on this GPU in 0.04 s.');
    report(13, 0, 0);
    expect(line()).toBe('Matmul kernels: 13 shapes, choices reused from cache.');
    report(20, 7, 3.26);
    expect(line()).toBe('Matmul kernels: 20 shapes, 7 timed on this GPU in 3.3 s, 13 reused from cache.');
  });

  it('says when it is off, whatever was tuned before', () => {
    report(13, 13, 11.8);
    useAppStore.getState().setKernelTuning(false);
    expect(useAppStore.getState().kernelTuning.enabled).toBe(false);
    expect(line()).toBe('Matmul kernels: the default kernel for each shape (tuning off).');
    useAppStore.getState().setKernelTuning(true);
    expect(line()).toBe('Matmul kernels: 13 shapes timed on this GPU in 11.8 s.');
  });
});
