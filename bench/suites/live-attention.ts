// `npm run bench -- live-attention [--steps N] [--every N] [--repeats R] [--finetune]`: what watching attention
// costs a run. The same run goes through the engine as the app drives it, alternately unwatched and with live
// attention every N steps on the Attention tab's default text; the wall time from "running" to "done"
// (boundary work included) is compared. A pre-training run: tiny preset, batch 8 × 64, the demo corpus. With
// --finetune, a fine-tuning run instead: SST-2 from scratch (tiny preset, batch 8, context 64, one epoch over
// the first 8 × N training rows, 32 dev rows), whose snapshots take the text in the task's form.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OptionSpecs, parseOptions, UsageError } from '../../src/cli/args.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineCommand, EngineEvent } from '../../src/engine/protocol.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import { PRESETS } from '../../src/model/config.ts';
import { memoryCheckpointStore } from '../../src/storage/memory-store.ts';
import { paperFinetuneSettings } from '../../src/train/settings/finetune-settings.ts';
import { DEFAULT_ATTENTION_TEXT } from '../../src/ui/store/attention-slice.ts';
import { REPO_ROOT } from '../paths.ts';

export const liveAttentionOptions = {
  steps: { type: 'number', help: 'steps per run (default 60)' },
  every: { type: 'number', help: 'live attention every N steps (default 10)' },
  repeats: { type: 'number', help: 'runs of each kind, alternating (default 2)' },
  finetune: { type: 'boolean', help: 'a fine-tuning run (SST-2 from scratch) instead of pre-training' },
} satisfies OptionSpecs;

const BATCH = 8;

/** How one kind of run is loaded, started, and seen to run and end. */
interface BenchedRun {
  kind: 'pretrain' | 'finetune';
  load: (engine: Engine) => Promise<void>;
  start: (runId: string) => EngineCommand;
  /** The run's state event in `state`. */
  isState: (state: string) => (e: EngineEvent) => boolean;
}

function pretrainRun(steps: number): BenchedRun {
  const settings = {
    preset: 'tiny' as const,
    config: PRESETS.tiny,
    B: BATCH,
    T: 64,
    steps,
    lr: 1e-3,
    seed: 0,
    evalEvery: 0,
    sampleEvery: 0,
    probeEvery: 0,
    samplePrompt: '',
  };
  return {
    kind: 'pretrain',
    load: async (engine) => {
      await engine.handle({ type: 'load-demo-corpus' });
      await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    },
    start: (runId) => ({ type: 'start-pretrain', runId, settings }),
    isState: (s) => (e) => e.type === 'run-state' && e.state === s,
  };
}

/** The header and the first `rows` rows of an SST-2 file from ../shared/data, as a dropped file's bytes. */
function sst2(role: 'train' | 'dev', rows: number): ArrayBuffer {
  const path = join(REPO_ROOT, '..', 'shared', 'data', 'classification', 'sst2', `${role}.tsv`);
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.length <= rows) throw new UsageError(`${path} has fewer than ${rows} rows`);
  return new TextEncoder().encode(`${lines.slice(0, rows + 1).join('\n')}\n`).buffer as ArrayBuffer;
}

function finetuneRun(steps: number): BenchedRun {
  const settings = {
    ...paperFinetuneSettings('classification'),
    init: 'scratch' as const,
    batch: BATCH,
    epochs: 1,
    lr: 1e-3,
    context: 64,
  };
  const preview = { init: 'scratch' as const, preset: 'tiny' as const, context: null };
  return {
    kind: 'finetune',
    load: async (engine) => {
      for (const [role, rows] of [
        ['train', BATCH * steps],
        ['dev', 32],
      ] as const) {
        const bytes = sst2(role, rows);
        await engine.handle({ type: 'load-task-file', family: 'classification', role, name: role, bytes, preview });
      }
    },
    start: (runId) => ({ type: 'start-finetune', runId, settings }),
    isState: (s) => (e) => e.type === 'finetune-state' && e.state === s,
  };
}

export async function liveAttentionSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, liveAttentionOptions);
  const steps = o.steps ?? 60;
  const every = o.every ?? 10;
  const repeats = o.repeats ?? 2;
  for (const [name, v] of Object.entries({ steps, every, repeats })) {
    if (!(Number.isInteger(v) && v > 0)) throw new UsageError(`--${name} must be a whole number above 0`);
  }
  const run = o.finetune ? finetuneRun(steps) : pretrainRun(steps);
  let waiter: ((e: EngineEvent) => void) | undefined;
  let snapshots = 0;
  // A boundary flushes the run's points before its work, so a snapshot's own time is from the points (or the
  // dev evaluation, the work before it at a fine-tuning run's end) sent just before it to the snapshot:
  // measured inside the watched run, it drifts less with the machine's load.
  const before = new Set<EngineEvent['type']>(['metrics', 'finetune-metrics', 'finetune-eval']);
  let pointsAt = 0;
  const snapshotMs: number[] = [];
  const gpu = await nodeGpu();
  const engine = new Engine({
    emit: (e) => {
      if (before.has(e.type)) pointsAt = performance.now();
      if (e.type === 'attention-snapshot') {
        snapshots++;
        snapshotMs.push(performance.now() - pointsAt);
      }
      if (e.type === 'error') process.stderr.write(`engine error (${e.where}): ${e.message}\n`);
      waiter?.(e);
    },
    gpu: () => gpu,
    store: async () => memoryCheckpointStore(),
    pacing: { checkpointEvery: 0 },
    kernelTuning: false,
  });
  const until = (test: (e: EngineEvent) => boolean) =>
    new Promise<number>((resolve) => {
      waiter = (e) => {
        if (test(e)) resolve(performance.now());
      };
    });
  try {
    await run.load(engine);
    const ms = { plain: [] as number[], watched: [] as number[] };
    // Run -1 is a warm-up (pipelines compiled, caches filled), not counted; then plain and watched alternate.
    for (let i = -1; i < 2 * repeats; i++) {
      const watched = i >= 0 && i % 2 === 1;
      await engine.handle({ type: 'watch-attention', text: DEFAULT_ATTENTION_TEXT, every: watched ? every : 0 });
      const running = until(run.isState('running'));
      await engine.handle(run.start(`live-${i + 1}`));
      const started = await running;
      const done = await until(run.isState('done'));
      const perStep = (done - started) / steps;
      if (i < 0) continue;
      (watched ? ms.watched : ms.plain).push(perStep);
      process.stderr.write(`${watched ? 'watched' : 'plain  '} run ${i}: ${perStep.toFixed(1)} ms/step\n`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const overhead = mean(ms.watched) / mean(ms.plain) - 1;
    // The snapshots' share of a watched run: their time per step over the plain runs' ms/step.
    const snapshotShare = snapshotMs.reduce((a, b) => a + b, 0) / (repeats * steps) / mean(ms.plain);
    process.stderr.write(
      `live attention every ${every} steps of a ${run.kind} run: ${(100 * overhead).toFixed(1)} % slower ` +
        `(${mean(ms.plain).toFixed(1)} → ${mean(ms.watched).toFixed(1)} ms/step, ${snapshots} snapshots); ` +
        `a snapshot takes ${mean(snapshotMs).toFixed(1)} ms, ${(100 * snapshotShare).toFixed(1)} % of the steps' time\n`,
    );
    return {
      suite: 'live-attention',
      date: new Date().toISOString(),
      run: run.kind,
      steps,
      every,
      msPerStep: ms,
      overhead,
      snapshots,
      snapshotMs,
      snapshotShare,
    };
  } finally {
    await engine.dispose();
  }
}
