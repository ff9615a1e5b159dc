// `npm run bench -- <suite> [options]`: benchmark suites over the engine in Node (Dawn).
// Human-readable progress and tables go to stderr; the last line of stdout is one JSON object.
import { kernelsSuite } from './suites/kernels.ts';

const SUITES: Record<string, (args: string[]) => Promise<unknown>> = {
  kernels: kernelsSuite,
};

async function main(argv: string[]): Promise<number> {
  const [suite, ...rest] = argv;
  const run = suite ? SUITES[suite] : undefined;
  if (!run) {
    process.stderr.write(`usage: npm run bench -- <suite> [options]\nsuites: ${Object.keys(SUITES).join(', ')}\n`);
    return 2;
  }
  const result = await run(rest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
