// `npm run bench -- native [train options] [--modes fp32,tf32,bf16] [--python python3]` (GPU machine only):
// our Node (Dawn) training step and PyTorch eager GPT-1 (bench/native/pytorch_gpt1.py: transformers'
// OpenAIGPTLMHeadModel in fp32 with TF32 off, TF32, bf16 autocast) at the same preset, batch, context and
// steps, one after the other in one call, and the ratios. Defaults: gpt1 at 8 x 512, no kernel profile.
// Without a CUDA GPU (or PyTorch) it stops before running anything, saying why.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type OptionSpecs, parseOptions } from '../../src/cli/args.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import { formatTable, type Row } from '../harness.ts';
import { REPO_ROOT } from '../paths.ts';
import { measureTraining, type TrainBenchSpec, trainNeeds } from '../train-measure.ts';
import { UnavailableError } from '../unavailable.ts';
import { describeTrainResult, specFromOptions, trainOptions } from './train.ts';

export const nativeOptions = {
  ...trainOptions,
  modes: { type: 'string', help: 'PyTorch modes, comma-separated (default fp32,tf32,bf16)' },
  python: { type: 'string', help: 'the Python with torch and transformers (default python3)' },
} satisfies OptionSpecs;

const SCRIPT = join(REPO_ROOT, 'bench', 'native', 'pytorch_gpt1.py');

interface NativeResult {
  device: string;
  results: { mode: string; tokensPerSecond: number; msPerStep: number; maxMemoryAllocatedBytes: number }[];
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
  const ctx = await openGpu(await nodeGpu(['disable-dawn-features=timestamp_quantization']), {
    purpose: 'native comparison',
    needs: trainNeeds(spec),
    wantFeatures: spec.profile === 'none' || spec.profile === 'wall' ? [] : ['timestamp-query'],
  });
  let ours: Awaited<ReturnType<typeof measureTraining>>;
  try {
    ours = await measureTraining(ctx, spec, (line) => process.stderr.write(`${line}\n`));
  } finally {
    ctx.destroy(); // free the GPU before PyTorch allocates
  }
  process.stderr.write(`\n${describeTrainResult(ours, 'node (Dawn)')}\n\nPyTorch ${modes}...\n`);
  const native = await runPython(python, scriptArgs(spec, modes));
  const rows: Row[] = [
    {
      runtime: 'gpt1-lab (Dawn, fp32)',
      'tokens/s': ours.tokensPerSecond,
      'ms/step': ours.msPerStep,
      'GPU MiB': ours.plannedBytes / 2 ** 20,
      'ours / this': 1,
    },
    ...native.results.map((r) => ({
      runtime: `pytorch ${r.mode}`,
      'tokens/s': r.tokensPerSecond,
      'ms/step': r.msPerStep,
      'GPU MiB': r.maxMemoryAllocatedBytes / 2 ** 20,
      'ours / this': ours.tokensPerSecond / r.tokensPerSecond,
    })),
  ];
  process.stderr.write(`\n${native.device}\n${formatTable(rows)}\n(GPU MiB: ours planned, PyTorch max allocated)\n`);
  return {
    suite: 'native',
    date: new Date().toISOString(),
    ours,
    native,
    ratios: Object.fromEntries(native.results.map((r) => [r.mode, ours.tokensPerSecond / r.tokensPerSecond])),
  };
}
