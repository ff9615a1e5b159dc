// Metric batching and the step timer, on a fake clock.
import { describe, expect, it } from 'vitest';
import { MetricsBatcher, StepTimer, Stopwatch, tokensPerSecond } from './metrics-batcher.ts';

const point = (step: number) => ({ step, loss: 1 });

describe('MetricsBatcher', () => {
  it('sends a batch per interval or per maxPoints, never one per fast step', () => {
    let now = 0;
    const batches: number[][] = [];
    const batcher = new MetricsBatcher<{ step: number }>((points) => batches.push(points.map((p) => p.step)), {
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
    const timer = new StepTimer(() => now);
    timer.restart();
    now = 100;
    expect(timer.tick()).toBe(100);
    expect(tokensPerSecond(1000, 100)).toBe(10_000);
    expect(tokensPerSecond(1000, 0)).toBe(0);
    now = 300; // a 200 ms step moves the average by 10 %
    expect(timer.tick()).toBeCloseTo(110, 10);
    now = 10_000; // a long pause, then restart: not a slow step
    timer.restart();
    now = 10_110;
    expect(timer.tick()).toBeCloseTo(110, 10);

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
