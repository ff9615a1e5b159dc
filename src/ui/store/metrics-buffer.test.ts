// The metric buffers: growth past their capacity, rewinding on a resumed step, and the ETA's ms/step EMA.
import { describe, expect, it } from 'vitest';
import type { StepMetrics } from '../../engine/protocol.ts';
import { GrowableSeries, lowerBound, RunMetrics } from './metrics-buffer.ts';

const point = (step: number, loss = 5 - step / 100): StepMetrics => ({
  step,
  loss,
  gradNorm: 1,
  lr: 1e-3,
  tokens: step * 256,
  tokensPerSecond: 200,
  msPerStep: 100,
  elapsedMs: step * 100,
});

describe('GrowableSeries', () => {
  it('grows past its capacity and keeps every value', () => {
    const s = new GrowableSeries(2);
    for (let i = 0; i < 10; i++) s.push(i);
    expect([...s.view()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.last()).toBe(9);
  });
});

describe('RunMetrics', () => {
  it('appends batches in step order', () => {
    const m = new RunMetrics();
    m.append([point(1), point(2)]);
    m.append([point(3)]);
    expect([...m.columns.step.view()]).toEqual([1, 2, 3]);
    expect(m.columns.loss.last()).toBeCloseTo(4.97);
  });

  it('rewinds when a step repeats (a run resumed from an earlier checkpoint)', () => {
    const m = new RunMetrics();
    m.append([point(1), point(2), point(3), point(4)]);
    m.append([point(3, 9), point(4, 8)]);
    expect([...m.columns.step.view()]).toEqual([1, 2, 3, 4]);
    expect([...m.columns.loss.view()].slice(2)).toEqual([9, 8]);
  });

  it('keeps validation points sorted and replaces a repeated one', () => {
    const m = new RunMetrics();
    m.appendEval(10, 3);
    m.appendEval(20, 2.5);
    m.appendEval(20, 2.4);
    expect([...m.evalStep.view()]).toEqual([10, 20]);
    expect([...m.evalLoss.view()]).toEqual([3, 2.4]);
  });

  it('debiases the ms/step average, so the first step already gives the ETA its value', () => {
    const m = new RunMetrics();
    expect(m.msPerStep()).toBeUndefined();
    m.append([point(1)]);
    expect(m.msPerStep()).toBeCloseTo(100, 9);
  });
});

describe('lowerBound', () => {
  it('finds the first index at or above the target', () => {
    const a = Float64Array.of(1, 3, 5, 7);
    expect(lowerBound(a, 0)).toBe(0);
    expect(lowerBound(a, 5)).toBe(2);
    expect(lowerBound(a, 6)).toBe(3);
    expect(lowerBound(a, 8)).toBe(4);
  });
});
