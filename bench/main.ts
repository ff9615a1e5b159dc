// `npm run bench -- <suite> [options]`: benchmark suites over the engine in Node (Dawn) and Chromium.
// Human-readable progress and tables go to stderr; the last line of stdout is one JSON object
// ({"error": ...} when a suite fails). On the GPU machine: bench/device.sh.
import { UsageError } from '../src/cli/args.ts';
import { compileSuite } from './suites/compile.ts';
import { importBrowserSuite } from './suites/import-browser.ts';
import { kernelsSuite } from './suites/kernels.ts';
import { liveAttentionSuite } from './suites/live-attention.ts';
import { nativeSuite } from './suites/native.ts';
import { peerSuite } from './suites/peer.ts';
import { trainSuite } from './suites/train.ts';
import { trainBrowserSuite } from './suites/train-browser.ts';
import { UnavailableError } from './unavailable.ts';

const SUITES: Record<string, { help: string; run: (args: string[]) => Promise<unknown> }> = {
  kernels: { help: 'GFLOP/s and GB/s per kernel and shape (--shapes small|gpt1)', run: kernelsSuite },
  compile: { help: 'pipeline build time per matmul variant and attention block (--dump: SPIR-V)', run: compileSuite },
  train: { help: 'tokens/s, ms/step, GPU plan, step counters, kernel breakdown (Node)', run: trainSuite },
  'train-browser': { help: 'the train suite in Chromium (bench page, Playwright)', run: trainBrowserSuite },
  'import-browser': {
    help: 'import a GPT-1-size Hugging Face folder in Chromium: time, peak tab memory (--preset)',
    run: importBrowserSuite,
  },
  'live-attention': {
    help: 'what live attention every N steps costs a pre-training run, or a fine-tuning run (--finetune)',
    run: liveAttentionSuite,
  },
  peer: { help: 'gpt1-lab vs @genai-fi/nanogpt, alternating in one Chromium page', run: peerSuite },
  native: { help: 'gpt1-lab vs PyTorch eager GPT-1 (CUDA GPU machine only)', run: nativeSuite },
};

function usage(): string {
  const lines = Object.entries(SUITES).map(([name, s]) => `  ${name.padEnd(14)} ${s.help}`);
  return `usage: npm run bench -- <suite> [options]\nsuites:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const suite = name ? SUITES[name] : undefined;
  if (!suite) {
    process.stderr.write(usage());
    return 2;
  }
  const result = await suite.run(rest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const expected = error instanceof UsageError || error instanceof UnavailableError;
    const detail = error instanceof Error && !expected ? (error.stack ?? message) : message;
    process.stderr.write(`${error instanceof UnavailableError ? 'unavailable here' : 'bench failed'}: ${detail}\n`);
    process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.exit(error instanceof UsageError ? 2 : error instanceof UnavailableError ? 3 : 1);
  },
);
