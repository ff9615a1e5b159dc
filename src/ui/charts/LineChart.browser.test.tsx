// LineChart in a real browser: metric points reach the chart through the store's tick without re-rendering
// React, smoothing changes redraw it, and the chart is created once.
import { act, Profiler } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepMetrics } from '../../engine/protocol.ts';
import { useAppStore } from '../store/index.ts';
import { runMetrics } from '../store/metrics-buffer.ts';
import { flushMetricsNow, scheduleMetricsFlush } from '../store/metrics-flush.ts';
import { LineChart } from './LineChart.tsx';
import { metricData } from './run-series.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const point = (step: number): StepMetrics => ({
  step,
  loss: 4 / step,
  gradNorm: 1,
  lr: 1e-3,
  tokens: step * 64,
  tokensPerSecond: 100,
  msPerStep: 10,
  elapsedMs: step * 10,
});

const waitFor = async (check: () => boolean, ms = 3000) => {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('LineChart', () => {
  it('draws appended points without re-rendering React', async () => {
    const host = document.createElement('div');
    host.style.width = '600px';
    document.body.append(host);
    const root = createRoot(host);
    cleanup = () => {
      act(() => root.unmount());
      host.remove();
    };
    useAppStore.getState().runCreated('chart-run', {
      preset: 'tiny',
      config: { ...(await import('../../model/config.ts')).PRESETS.tiny },
      B: 1,
      T: 64,
      steps: 10,
      lr: 1e-3,
      seed: 1,
      evalEvery: 0,
      sampleEvery: 0,
      samplePrompt: '',
    });
    let renders = 0;
    await act(async () =>
      root.render(
        <Profiler id="chart" onRender={() => renders++}>
          <LineChart
            id="test-loss"
            title="Loss"
            series={[{ label: 'train', colour: 0, smooth: true }]}
            read={() => metricData('chart-run', 'loss')}
          />
        </Profiler>,
      ),
    );
    const rendersAfterMount = renders;
    expect(host.querySelectorAll('.uplot')).toHaveLength(1);
    const latest = host.querySelector('[data-testid="test-loss-latest"]')!;
    expect(latest.textContent).toBe('no data yet');

    runMetrics('chart-run').append([point(1), point(2), point(3), point(4)]);
    scheduleMetricsFlush('chart-run');
    act(() => flushMetricsNow());
    await waitFor(() => /@ 4$/.test(latest.textContent ?? ''));
    expect(latest.textContent).toBe('train 1 @ 4');
    expect([latest.getAttribute('data-step'), latest.getAttribute('data-latest-train')]).toEqual(['4', '1']);
    expect(renders).toBe(rendersAfterMount);
    expect(host.querySelectorAll('.uplot')).toHaveLength(1);

    // The legend shows the latest raw and smoothed values when the cursor is away.
    const values = [...host.querySelectorAll('.u-legend .u-value')].map((v) => v.textContent);
    expect(values[0]).toBe('4');
    expect(values[1]).toBe('1');
    const smoothedBefore = values[2];
    act(() => useAppStore.getState().setSmoothing(0));
    await waitFor(() => host.querySelectorAll('.u-legend .u-value')[2]?.textContent !== smoothedBefore);
    expect(host.querySelectorAll('.u-legend .u-value')[2]?.textContent).toBe('1');
  });
});
