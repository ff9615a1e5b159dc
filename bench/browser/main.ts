// The bench page's entry (Chromium, driven by bench/browser-driver.ts): ?mode=train runs the same training
// measurement as `npm run bench -- train`; ?mode=peer alternates ours with @genai-fi/nanogpt (peer.ts).
// ?spec= is the JSON TrainBenchSpec (plus `rounds` for peer). The result, or the error, is left in
// window.__bench for the driver; progress goes to the console as "[bench] ..." lines.
import { browserGpu } from '../../src/gpu/browser-gpu.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { DEFAULT_SPEC, measureTraining, type TrainBenchSpec, trainNeeds } from '../train-measure.ts';
import { runPeerComparison } from './peer.ts';

export interface BenchState {
  done: boolean;
  result?: unknown;
  error?: string;
}

declare global {
  interface Window {
    __bench?: BenchState;
  }
}

function log(line: string): void {
  console.log(`[bench] ${line}`);
  const pre = document.getElementById('log');
  if (pre) pre.textContent += `${line}\n`;
}

async function runTrain(spec: TrainBenchSpec): Promise<unknown> {
  const ctx = await openGpu(browserGpu(), {
    purpose: 'training benchmark',
    needs: trainNeeds(spec),
    wantFeatures: spec.profile === 'none' || spec.profile === 'wall' ? [] : ['timestamp-query'],
    debug: false,
  });
  try {
    const result = await measureTraining(ctx, spec, log);
    return { runtime: 'chromium', userAgent: navigator.userAgent, ...result };
  } finally {
    ctx.destroy();
  }
}

async function main(): Promise<unknown> {
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') ?? 'train';
  const given = JSON.parse(params.get('spec') ?? '{}') as Partial<TrainBenchSpec> & { rounds?: number };
  const spec: TrainBenchSpec = { ...DEFAULT_SPEC, ...given };
  log(`mode ${mode}: ${JSON.stringify(spec)}`);
  if (mode === 'train') return runTrain(spec);
  if (mode === 'peer') return runPeerComparison(spec, given.rounds ?? 3, log);
  throw new Error(`unknown mode "${mode}" (train, peer)`);
}

main().then(
  (result) => {
    window.__bench = { done: true, result };
  },
  (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`failed: ${message}`);
    window.__bench = { done: true, error: message };
  },
);
