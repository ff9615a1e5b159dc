// `npm run bench -- live-attention [--steps N] [--every N] [--repeats R]`: what watching attention costs a
// pre-training run. The same run (tiny preset, batch 8 × 64, the demo corpus) goes through the engine as the
// app drives it, alternately unwatched and with live attention every N steps on the Attention tab's default
// text; the wall time from "running" to "done" (boundary work included) is compared.
import { type OptionSpecs, parseOptions, UsageError } from '../../src/cli/args.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/protocol.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import { PRESETS } from '../../src/model/config.ts';
import { memoryCheckpointStore } from '../../src/storage/memory-store.ts';
import { DEFAULT_ATTENTION_TEXT } from '../../src/ui/store/attention-slice.ts';

export const liveAttentionOptions = {
  steps: { type: 'number', help: 'steps per run (default 60)' },
  every: { type: 'number', help: 'live attention every N steps (default 10)' },
  repeats: { type: 'number', help: 'runs of each kind, alternating (default 2)' },
} satisfies OptionSpecs;

export async function liveAttentionSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, liveAttentionOptions);
  const steps = o.steps ?? 60;
  const every = o.every ?? 10;
  const repeats = o.repeats ?? 2;
  for (const [name, v] of Object.entries({ steps, every, repeats })) {
    if (!(Number.isInteger(v) && v > 0)) throw new UsageError(`--${name} must be a whole number above 0`);
  }
  let waiter: ((e: EngineEvent) => void) | undefined;
  let snapshots = 0;
  const gpu = await nodeGpu();
  const engine = new Engine({
    emit: (e) => {
      if (e.type === 'attention-snapshot') snapshots++;
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
  const state = (s: string) => (e: EngineEvent) => e.type === 'run-state' && e.state === s;
  try {
    await engine.handle({ type: 'load-demo-corpus' });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    const ms = { plain: [] as number[], watched: [] as number[] };
    // Run -1 is a warm-up (pipelines compiled, caches filled), not counted; then plain and watched alternate.
    for (let i = -1; i < 2 * repeats; i++) {
      const watched = i >= 0 && i % 2 === 1;
      await engine.handle({ type: 'watch-attention', text: DEFAULT_ATTENTION_TEXT, every: watched ? every : 0 });
      const settings = {
        preset: 'tiny' as const,
        config: PRESETS.tiny,
        B: 8,
        T: 64,
        steps,
        lr: 1e-3,
        seed: 0,
        evalEvery: 0,
        sampleEvery: 0,
        probeEvery: 0,
        samplePrompt: '',
      };
      const running = until(state('running'));
      await engine.handle({ type: 'start-pretrain', runId: `live-${i + 1}`, settings });
      const started = await running;
      const done = await until(state('done'));
      const perStep = (done - started) / steps;
      if (i < 0) continue;
      (watched ? ms.watched : ms.plain).push(perStep);
      process.stderr.write(`${watched ? 'watched' : 'plain  '} run ${i}: ${perStep.toFixed(1)} ms/step\n`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const overhead = mean(ms.watched) / mean(ms.plain) - 1;
    process.stderr.write(
      `live attention every ${every} steps: ${(100 * overhead).toFixed(1)} % slower (${mean(ms.plain).toFixed(1)} → ` +
        `${mean(ms.watched).toFixed(1)} ms/step, ${snapshots} snapshots)\n`,
    );
    return {
      suite: 'live-attention',
      date: new Date().toISOString(),
      steps,
      every,
      msPerStep: ms,
      overhead,
      snapshots,
    };
  } finally {
    await engine.dispose();
  }
}
