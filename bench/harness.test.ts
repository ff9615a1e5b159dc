// Smoke tests of the benchmark harness, run with the node unit tests (Dawn on SwiftShader). The training
// case is a property test of the engine as much as of the bench: a steady-state step makes exactly one
// queue submit and one mapAsync, creates no buffers or bind groups, and never waits on the queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../src/cli/args.ts';
import type { GpuContext } from '../src/gpu/device.ts';
import { openTestGpu } from '../test-support/test-gpu.ts';
import { DeviceCounters } from './counters.ts';
import { formatTable, median } from './harness.ts';
import { specFromOptions, trainOptions } from './suites/train.ts';
import { DEFAULT_SPEC, measureTraining } from './train-measure.ts';

describe('train options', () => {
  it('tunes by default, and reads --no-tune and --matmul-variants', () => {
    const parse = (args: string[]) => specFromOptions(parseOptions(args, trainOptions));
    expect(parse([])).toMatchObject({ tune: true, matmulVariants: undefined });
    expect(parse(['--no-tune']).tune).toBe(false);
    expect(parse([]).splitK).toBe(false);
    expect(parse(['--split-k']).splitK).toBe(true);
    expect(parse(['--matmul-variants', 'naive, vec4']).matmulVariants).toEqual(['naive', 'vec4']);
    expect(() => parse(['--matmul-variants', 'vec4,tiled_large'])).toThrow(
      /--matmul-variants: "tiled_large" is not one of naive, tiled, vec4, vec4_large, vec4_wide/,
    );
  });
});

describe('harness helpers', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('right-aligns columns under their headers and prints floats with 4 significant digits', () => {
    const table = formatTable([
      { kernel: 'gelu', ms: 1.23456, n: 3 },
      { kernel: 'matmul_forward', ms: 10, n: 12 },
    ]);
    expect(table.split('\n')).toEqual([
      '        kernel     ms   n',
      '--------------  -----  --',
      '          gelu  1.235   3',
      'matmul_forward     10  12',
    ]);
    expect(formatTable([])).toBe('(no rows)');
  });
});

describe('training step counters', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu({ debug: false });
  });
  afterAll(() => ctx.destroy());

  it('counts calls on the device and restores its methods', () => {
    const counters = new DeviceCounters(ctx.device);
    const buffer = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST });
    ctx.device.queue.writeBuffer(buffer, 0, new Float32Array(4));
    ctx.device.queue.submit([ctx.device.createCommandEncoder().finish()]);
    const counts = counters.snapshot();
    counters.dispose();
    ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST }).destroy();
    buffer.destroy();
    // The probe buffer that finds GPUBuffer's prototype counts once.
    expect(counts).toMatchObject({ createBuffer: 2, writeBuffer: 1, submits: 1, commandBuffers: 1 });
    expect(counters.snapshot().createBuffer).toBe(2);
  });

  it('makes one submit and one readback per step, and allocates nothing once stepping', async () => {
    const result = await measureTraining(ctx, {
      ...DEFAULT_SPEC,
      B: 2,
      T: 8,
      warmup: 1,
      steps: 3,
      profile: 'none',
      matmulVariants: ['naive', 'vec4'],
      overrides: { vocabSize: 32, nLayer: 1, nEmbd: 16, nHead: 2, nInner: 64, nPositions: 8 },
    });
    // Tuned by default, among the allowed variants only; every matmul shape of the step has a decision.
    expect(result.matmul.tuned).toBe(true);
    expect(result.matmul.choices.length).toBeGreaterThan(3);
    for (const c of result.matmul.choices) {
      expect(['naive', 'vec4'], c.shape).toContain(c.variant);
      expect(Object.keys(c.ms).sort(), c.shape).toEqual(['naive', 'vec4']);
      expect(c.nodes, c.shape).toBeGreaterThan(0);
    }
    expect(result.perStep).toMatchObject({ submits: 1, commandBuffers: 1, mapAsync: 1 });
    expect(result.steadyState).toEqual({ createBuffer: 0, createBindGroup: 0, onSubmittedWorkDone: 0 });
    expect(result.checks).toEqual({ oneSubmitPerStep: true, noAllocationInSteps: true, asyncReadback: true });
    expect(result.maxStepsInFlight).toBeGreaterThanOrEqual(1);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(result.finalLoss)).toBe(true);
    expect(result.plannedBytes).toBe(Object.values(result.bytesByClass).reduce((a, b) => a + b, 0));
  });
});
