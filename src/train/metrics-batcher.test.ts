// Metric batching and the step timer, on a fake clock.
import { describe, expect, it } from 'vitest';
import type { StepMetrics } from '../engine/protocol.ts';
import { MetricsBatcher, StepTimer, Stopwatch } from './metrics-batcher.ts';

const point = (step: number): StepMetrics => ({
  step,
  loss: 1,
  gradNorm: 1,
  lr: 1,
  tokens: step,
  tokensPerSecond: 0,
  msPerStep: 0,
  elapsedMs: 0,
});

describe('MetricsBatcher', () => {
  it('sends a batch per interval or per maxPoints, never one per fast step', () => {
    let now = 0;
    const batches: number[][] = [];
    const batcher = new MetricsBatcher((points) => batches.push(points.map((p) => p.step)), {
      intervalMs: 100,
      maxPoints: 5,
      now: () => now,
    });
    for (let step = 1; step <= 12; step++) {
      now += 10; // 10 ms steps: the 5-point cap decides
      batcher.push(point(step));
    }
    expect(batches).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    now += 150; // a slow step: the interval decides
    batcher.push(point(13));
    expect(batches.at(-1)).toEqual([11, 12, 13]);
    batcher.flush();
    batcher.flush(); // nothing pending: nothing sent
    expect(batches).toHaveLength(3);
  });
});

describe('StepTimer and Stopwatch', () => {
  it('smooths ms/step and derives tokens/s; restart() excludes pauses', () => {
    let now = 0;
    const timer = new StepTimer(1000, () => now);
    timer.restart();
    now = 100;
    expect(timer.tick()).toEqual({ msPerStep: 100, tokensPerSecond: 10_000 });
    now = 300; // a 200 ms step moves the average by 10 %
    expect(timer.tick().msPerStep).toBeCloseTo(110, 10);
    now = 10_000; // a long pause, then restart: not a slow step
    timer.restart();
    now = 10_110;
    expect(timer.tick().msPerStep).toBeCloseTo(110, 10);

    const watch = new Stopwatch(50, () => now);
    watch.start();
    now += 100;
    watch.stop();
    now += 1000;
    expect(watch.elapsed()).toBe(150);
    watch.start();
    now += 10;
    expect(watch.elapsed()).toBe(160);
  });
});
