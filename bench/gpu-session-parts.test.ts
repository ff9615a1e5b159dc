// The parts of the GPU session that can run without an NVIDIA GPU: the memory sampler (fed by a stand-in
// command printing MiB lines as nvidia-smi does), the HF export with our logits checked by
// bench/native/hf_logits_check.py (its plain-PyTorch engine: transformers is not installed here), and the
// cuBLAS baseline script on the CPU. The Python parts need a python3 with torch (Debian's /usr/bin/python3
// has torch 1.13 here); without one they are skipped, saying so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu/device.ts';
import { openTestGpu } from '../test-support/test-gpu.ts';
import { GpuMemorySampler, measuredMemory } from './gpu-memory.ts';
import { exportWithLogits, REFERENCE_FILE } from './hf-export.ts';
import { REPO_ROOT } from './paths.ts';
import { DEFAULT_SPEC, measureTraining } from './train-measure.ts';

const PYTHON = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0,
);
const script = (name: string) => join(REPO_ROOT, 'bench', 'native', name);

function runPython(args: string[]): { status: number | null; json: Record<string, unknown>; stderr: string } {
  const r = spawnSync(PYTHON!, args, { encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').at(-1) ?? '{}';
  return { status: r.status, json: JSON.parse(last) as Record<string, unknown>, stderr: r.stderr };
}

describe('GpuMemorySampler', () => {
  it('keeps the samples, the idle first reading and the peak of a time window', async () => {
    // Prints 100, 110, 120, ... every 20 ms, as `nvidia-smi --format=csv,noheader,nounits -lms 20` would.
    const sampler = GpuMemorySampler.start({
      command: process.execPath,
      args: ['-e', 'let i = 0; setInterval(() => console.log(String(100 + 10 * i++)), 20)'],
    });
    await sampler.waitForSamples(3);
    const middle = Date.now();
    await sampler.waitForSamples(8);
    await sampler.stop();
    expect(sampler.unavailable).toBeUndefined();
    expect(sampler.idleMiB).toBe(100);
    const all = sampler.window();
    expect(all.samples).toBeGreaterThanOrEqual(8);
    expect(all.peakMiB).toBe(100 + 10 * (all.samples - 1)); // rising, so the last sample is the peak
    const early = sampler.window(0, middle);
    expect(early.peakMiB!).toBeLessThan(all.peakMiB!);
    const m = measuredMemory(sampler, middle, Date.now());
    expect(m.peakAboveIdleMiB).toBe(m.peakMiB! - 100);
  });

  it('says why it has nothing when the command cannot run', async () => {
    const sampler = GpuMemorySampler.start({ command: '/nonexistent/nvidia-smi' });
    await sampler.waitForSamples(1, 500);
    await sampler.stop();
    expect(sampler.unavailable).toMatch(/ENOENT/);
    expect(measuredMemory(sampler, 0, Date.now())).toMatchObject({ peakMiB: null, peakAboveIdleMiB: null });
  });
});

describe.skipIf(!PYTHON)(`bench/native scripts (${PYTHON ?? 'no python3 with torch: skipped'})`, () => {
  let ctx: GpuContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await openTestGpu({ debug: false });
    dir = mkdtempSync(join(tmpdir(), 'gpt1-lab-hf-export-'));
  });
  afterAll(() => {
    ctx.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a trained run with our logits, and a plain GPT-1 forward of the folder agrees to 1e-4', async () => {
    const folder = join(dir, 'hf');
    const spec = {
      ...DEFAULT_SPEC,
      B: 2,
      T: 8,
      warmup: 1,
      steps: 2,
      profile: 'none' as const,
      tune: false,
      overrides: { vocabSize: 40, nLayer: 2, nEmbd: 16, nHead: 2, nInner: 64, nPositions: 16 },
    };
    let files: string[] = [];
    await measureTraining(
      ctx,
      spec,
      () => {},
      async (bench) => {
        files = (await exportWithLogits(ctx, bench.trainer, folder, { B: 2, T: 12 })).files;
      },
    );
    expect(files.sort()).toEqual(['config.json', 'gpt1-lab-logits.f32', REFERENCE_FILE, 'model.safetensors'].sort());
    const reference = JSON.parse(readFileSync(join(folder, REFERENCE_FILE), 'utf8'));
    expect(reference).toMatchObject({ B: 2, T: 12, V: 40, step: 3 });

    const ok = runPython([script('hf_logits_check.py'), '--folder', folder, '--device', 'cpu', '--engine', 'torch']);
    expect(ok.json, ok.stderr).toMatchObject({ check: 'hf-logits', pass: true, B: 2, T: 12, V: 40 });
    expect(ok.status).toBe(0);
    // f32 kernels against a float64 forward: far inside the tolerance, yet not exact.
    expect(ok.json.maxRel as number).toBeLessThan(1e-5);

    // A logits file off by one part in a thousand at one place fails the check, with exit 1.
    const raw = readFileSync(join(folder, 'gpt1-lab-logits.f32'));
    const logits = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).slice();
    const worst = logits.reduce((best, v, i) => (Math.abs(v) > Math.abs(logits[best]!) ? i : best), 0);
    logits[worst] = logits[worst]! * 1.001;
    writeFileSync(join(folder, 'gpt1-lab-logits.f32'), new Uint8Array(logits.buffer));
    const bad = runPython([script('hf_logits_check.py'), '--folder', folder, '--device', 'cpu', '--engine', 'torch']);
    expect(bad.json).toMatchObject({ pass: false });
    expect(bad.status).toBe(1);
  });

  it('times the kernels suite products with torch and gives each variant its % of them', () => {
    const suite = {
      suite: 'kernels',
      adapter: 'test',
      results: [
        { op: 'matmul', variant: 'vec4', shape: '32x48x16 transA (dW)', 'GFLOP/s': 2 },
        { op: 'matmul', variant: 'vec4_wide', shape: '32x48x16 transA (dW)', 'GFLOP/s': 4 },
        { op: 'layernorm', variant: 'default', shape: '8x8', 'GFLOP/s': 1 },
      ],
      matmulShapes: { '32x48x16 transA (dW)': { M: 32, K: 48, N: 16, transA: true, transB: false } },
    };
    const file = join(dir, 'kernels.json');
    writeFileSync(file, `progress line\n${JSON.stringify(suite)}\n`);
    const r = runPython([script('cublas_matmul.py'), '--kernels', file, '--device', 'cpu', '--target-ms', '2']);
    expect(r.status, r.stderr).toBe(0);
    const [shape] = r.json.shapes as {
      baselineGFLOPs: number;
      variants: Record<string, { percent: number }>;
      best: { variant: string; percent: number };
    }[];
    expect(shape!.baselineGFLOPs).toBeGreaterThan(0);
    expect(shape!.best.variant).toBe('vec4_wide');
    expect(shape!.variants.vec4!.percent * 2).toBeCloseTo(shape!.variants.vec4_wide!.percent, 6);
    expect(shape!.best.percent).toBeCloseTo((100 * 4) / shape!.baselineGFLOPs, 6);
  });
});
