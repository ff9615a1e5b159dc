// `npm run bench -- native [train options] [--modes fp32,tf32,bf16] [--python python3]` (GPU machine only):
// our Node (Dawn) training step and PyTorch eager GPT-1 (bench/native/pytorch_gpt1.py: transformers'
// OpenAIGPTLMHeadModel in fp32 with TF32 off, TF32, bf16 autocast) at the same preset, batch, context and
// steps, one after the other in one call, and the ratios. Defaults: gpt1 at 8 x 512, no kernel profile.
// Beside each planned figure, the measured peak GPU memory of each run (nvidia-smi sampled throughout:
// bench/gpu-memory.ts) and PyTorch's own max_memory_allocated. `--export DIR` writes our trained weights as a
// Hugging Face folder with our logits for a fixed batch, for bench/native/hf_logits_check.py.
// Without a CUDA GPU (or PyTorch) it stops before running anything, saying why.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type OptionSpecs, parseOptions } from '../../src/cli/args.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import { describeMemory, GpuMemorySampler, type MeasuredMemory, measuredMemory } from '../gpu-memory.ts';
import { formatTable, type Row } from '../harness.ts';
import { exportWithLogits } from '../hf-export.ts';
import { REPO_ROOT } from '../paths.ts';
import { measureTraining, type TrainBenchSpec, trainNeeds } from '../train-measure.ts';
import { UnavailableError } from '../unavailable.ts';
import { describeTrainResult, specFromOptions, trainOptions } from './train.ts';

export const nativeOptions = {
  ...trainOptions,
  modes: { type: 'string', help: 'PyTorch modes, comma-separated (default fp32,tf32,bf16)' },
  python: { type: 'string', help: 'the Python with torch and transformers (default python3)' },
  export: {
    type: 'string',
    help: 'after our run, write its weights as a Hugging Face folder here, with our logits for a fixed batch',
  },
} satisfies OptionSpecs;

const SCRIPT = join(REPO_ROOT, 'bench', 'native', 'pytorch_gpt1.py');

interface NativeResult {
  device: string;
  results: {
    mode: string;
    tokensPerSecond: number;
    msPerStep: number;
    maxMemoryAllocatedBytes: number;
    /** Epoch seconds from the model's creation to its release. */
    window: [number, number];
  }[];
  error?: string;
}

function scriptArgs(spec: TrainBenchSpec, modes: string): string[] {
  const args = ['--preset', spec.preset, '--batch', String(spec.B), '--context', String(spec.T)];
  args.push('--steps', String(spec.steps), '--warmup', String(spec.warmup), '--modes', modes);
  if (spec.vocab) args.push('--vocab', String(spec.vocab));
  if (!spec.dropout) args.push('--no-dropout');
  return args;
}

function lastJson(stdout: string): NativeResult | undefined {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return line ? (JSON.parse(line) as NativeResult) : undefined;
  } catch {
    return undefined;
  }
}

/** Fails fast (before our run) when there is no Python, PyTorch, transformers or CUDA GPU. */
function checkPython(python: string): void {
  const check = spawnSync(python, [SCRIPT, '--check'], { encoding: 'utf8' });
  if (check.error) {
    throw new UnavailableError(`${python} could not run (${check.error.message}): native runs only on the GPU machine`);
  }
  const json = lastJson(check.stdout);
  if (check.status === 3 && json?.error) throw new UnavailableError(json.error);
  if (check.status !== 0 || !json || json.error) {
    throw new Error(json?.error ?? `${python} ${SCRIPT} --check failed (exit ${check.status}): ${check.stderr.trim()}`);
  }
}

function runPython(python: string, args: string[]): Promise<NativeResult> {
  return new Promise((done, fail) => {
    const child = spawn(python, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const json = lastJson(stdout);
      if (code === 0 && json && !json.error) done(json);
      else fail(new Error(json?.error ?? `${python} ${SCRIPT} exited with ${code}`));
    });
  });
}

export async function nativeSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, nativeOptions);
  const spec: TrainBenchSpec = specFromOptions({ ...o, preset: o.preset ?? 'gpt1', profile: o.profile ?? 'none' });
  const python = o.python ?? 'python3';
  const modes = o.modes ?? 'fp32,tf32,bf16';
  checkPython(python);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const sampler = GpuMemorySampler.start();
  await sampler.waitForSamples(); // the idle reading, before our device exists
  let ours: Awaited<ReturnType<typeof measureTraining>>;
  let exported: Awaited<ReturnType<typeof exportWithLogits>> | undefined;
  let oursMemory: MeasuredMemory;
  let native: NativeResult;
  try {
    const oursFrom = Date.now();
    const ctx = await openGpu(await nodeGpu(['disable-dawn-features=timestamp_quantization']), {
      purpose: 'native comparison',
      needs: trainNeeds(spec),
      wantFeatures: spec.profile === 'none' || spec.profile === 'wall' ? [] : ['timestamp-query'],
    });
    try {
      ours = await measureTraining(ctx, spec, log, async (bench) => {
        if (!o.export) return;
        exported = await exportWithLogits(ctx, bench.trainer, o.export);
        log(`exported the trained weights and our logits to ${o.export}`);
      });
    } finally {
      ctx.destroy(); // free the GPU before PyTorch allocates
    }
    await ctx.lost;
    oursMemory = measuredMemory(sampler, oursFrom, Date.now());
    process.stderr.write(`\n${describeTrainResult(ours, 'node (Dawn)')}\n`);
    log(describeMemory('gpt1-lab GPU memory', ours.plannedBytes / 2 ** 20, oursMemory));
    log(`\nPyTorch ${modes}...`);
    native = await runPython(python, scriptArgs(spec, modes));
  } finally {
    await sampler.stop();
  }
  const torchMemory = native.results.map((r) => ({
    mode: r.mode,
    maxMemoryAllocatedBytes: r.maxMemoryAllocatedBytes,
    measured: measuredMemory(sampler, r.window[0] * 1000, r.window[1] * 1000),
  }));
  for (const m of torchMemory) {
    log(
      describeMemory(
        `pytorch ${m.mode} GPU memory (max allocated ${(m.maxMemoryAllocatedBytes / 2 ** 20).toFixed(0)} MiB)`,
        null,
        m.measured,
      ),
    );
  }
  const rows: Row[] = [
    {
      runtime: 'gpt1-lab (Dawn, fp32)',
      'tokens/s': ours.tokensPerSecond,
      'ms/step': ours.msPerStep,
      'GPU MiB': ours.plannedBytes / 2 ** 20,
      'measured MiB': oursMemory.peakAboveIdleMiB ?? '-',
      'ours / this': 1,
    },
    ...native.results.map((r, i) => ({
      runtime: `pytorch ${r.mode}`,
      'tokens/s': r.tokensPerSecond,
      'ms/step': r.msPerStep,
      'GPU MiB': r.maxMemoryAllocatedBytes / 2 ** 20,
      'measured MiB': torchMemory[i]!.measured.peakAboveIdleMiB ?? '-',
      'ours / this': ours.tokensPerSecond / r.tokensPerSecond,
    })),
  ];
  process.stderr.write(
    `\n${native.device}\n${formatTable(rows)}\n(GPU MiB: ours planned, PyTorch max allocated; ` +
      'measured MiB: nvidia-smi peak above idle during the run, driver context included)\n',
  );
  return {
    suite: 'native',
    date: new Date().toISOString(),
    ours,
    native,
    ratios: Object.fromEntries(native.results.map((r) => [r.mode, ours.tokensPerSecond / r.tokensPerSecond])),
    memory: {
      ours: { plannedBytes: ours.plannedBytes, measured: oursMemory },
      pytorch: torchMemory,
    },
    ...(exported ? { export: { dir: exported.dir, files: exported.files, step: exported.reference.step } } : {}),
  };
}
