// The guard around matmul variants that need more workgroup memory than WebGPU's default 16 KiB (the
// 128x128 tile): a device gets the larger limit when the adapter offers it; on a device without it the
// variant is never offered (the tuner leaves it out, even when a stored decision names it) and a graph
// forced onto it fails at compile time naming the limit. Dawn itself refuses the pipeline on such a device
// with exactly the byte count we read from the WGSL, so the guard and the validation agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLimits } from '../../test-support/limited-gpu.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { largestWorkgroupStorage, workgroupStorageBytes } from '../gpu/workgroup-storage.ts';
import { Graph } from '../runtime/graph.ts';
import { kernelPipeline, Program, setGraphTuner } from '../runtime/program.ts';
import { MATMUL_VARIANTS, type MatmulVariant, matmul, matmulVariantsFor } from './matmul.ts';
import { MatmulTuner, type TuningStore } from './matmul-tuner.ts';

const DEFAULT_STORAGE = 16384; // the WebGPU spec's default maxComputeWorkgroupStorageSize
const WIDE = MATMUL_VARIANTS.vec4_wide.forward;
const ALL = Object.keys(MATMUL_VARIANTS) as MatmulVariant[];

/** One 40 x 24 x 72 product (the tuner test's size), on `variant` or the default. */
function product(variant?: MatmulVariant): Graph {
  const g = new Graph();
  matmul(g, g.input('x', [40, 24]), g.input('w', [24, 72]), { variant });
  return g;
}

describe('matmul variants and the device workgroup memory', () => {
  let raised: GpuContext;
  let plain: GpuContext;
  beforeAll(async () => {
    raised = await openTestGpu();
    plain = await openTestGpu({ raiseWorkgroupStorage: false });
  });
  afterAll(() => {
    raised.destroy();
    plain.destroy();
  });

  it('asks the adapter for what the largest kernel uses, when it offers more than the default', () => {
    const offered = raised.adapter.limits.maxComputeWorkgroupStorageSize;
    const expected = Math.max(DEFAULT_STORAGE, Math.min(offered, largestWorkgroupStorage()));
    expect(raised.device.limits.maxComputeWorkgroupStorageSize).toBe(expected);
    expect(plain.device.limits.maxComputeWorkgroupStorageSize).toBe(DEFAULT_STORAGE);
    expect(workgroupStorageBytes(WIDE.shader, WIDE.entry)).toBeGreaterThan(DEFAULT_STORAGE);
  });

  it('offers the 128x128 tile only where it fits', () => {
    expect(matmulVariantsFor(plain.device.limits)).toEqual(ALL.filter((v) => v !== 'vec4_wide'));
    // A device that reports a smaller limit than it has is treated the same way.
    const reported = withLimits(raised, { maxComputeWorkgroupStorageSize: DEFAULT_STORAGE });
    expect(matmulVariantsFor(reported.device.limits)).toEqual(ALL.filter((v) => v !== 'vec4_wide'));
    const fits = raised.device.limits.maxComputeWorkgroupStorageSize >= workgroupStorageBytes(WIDE.shader, WIDE.entry);
    expect(matmulVariantsFor(raised.device.limits)).toEqual(fits ? ALL : ALL.filter((v) => v !== 'vec4_wide'));
  });

  it('fails a graph forced onto it at compile time, naming the limit; Dawn agrees on the bytes', async () => {
    await expect(Program.compile(plain, product('vec4_wide'))).rejects.toThrow(
      /matmul_forward_vec4_wide uses 32768 bytes of workgroup memory, above the device's maxComputeWorkgroupStorageSize 16384/,
    );
    // Past our check, Dawn's pipeline validation refuses it for the same number of bytes.
    await expect(kernelPipeline(plain, WIDE)).rejects.toThrow(/32768 bytes/);
  });

  it('the tuner never times or applies it there, even when a stored decision names it', async () => {
    const stored: Record<string, string> = {};
    const store: TuningStore = {
      load: async () => ({ ...stored }),
      save: async (entries) => {
        Object.assign(stored, entries);
      },
    };
    // First on the raised device with only the wide tile allowed: its decision is stored.
    setGraphTuner(raised, new MatmulTuner({ store, targetMs: 2, candidates: ['vec4_wide'] }));
    try {
      const g = product();
      (await Program.compile(raised, g)).destroy();
      expect(g.nodes[0]!.kernel.entry).toBe(WIDE.entry);
    } finally {
      setGraphTuner(raised, undefined);
    }
    // Shown a device without the memory (the same adapter name, so the stored key matches).
    const reported = withLimits(raised, { maxComputeWorkgroupStorageSize: DEFAULT_STORAGE });
    const tuner = new MatmulTuner({ store, targetMs: 2 });
    setGraphTuner(reported, tuner);
    try {
      const g = product();
      (await Program.compile(reported, g)).destroy();
      expect(g.nodes[0]!.kernel.entry).not.toBe(WIDE.entry);
      const [decision] = tuner.decisions.values();
      expect(decision!.variant).not.toBe('vec4_wide');
      expect(Object.keys(decision!.ms)).not.toContain('vec4_wide');
      expect(tuner.tuningSeconds).toBeGreaterThan(0); // re-timed, not taken from the store
    } finally {
      setGraphTuner(reported, undefined);
    }
  });
});
