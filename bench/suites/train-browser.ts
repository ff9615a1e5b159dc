// `npm run bench -- train-browser [train options] [--timeout-s N]`: the train measurement in Chromium (the
// bench page, bench/browser/), with the same options and JSON as `train`, plus the browser's version.
import { type OptionSpecs, parseOptions } from '../../src/cli/args.ts';
import { runBenchPage } from '../browser-driver.ts';
import type { TrainBenchResult } from '../train-measure.ts';
import { describeTrainResult, specFromOptions, trainOptions } from './train.ts';

export const trainBrowserOptions = {
  ...trainOptions,
  'timeout-s': { type: 'number', help: 'give up on the page after this many seconds (default 1800)' },
} satisfies OptionSpecs;

export async function trainBrowserSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, trainBrowserOptions);
  const spec = specFromOptions(o);
  const { result, browserVersion } = await runBenchPage({
    mode: 'train',
    spec,
    timeoutS: o['timeout-s'] ?? 1800,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const r = result as TrainBenchResult;
  process.stderr.write(`\n${describeTrainResult(r, `chromium ${browserVersion}`)}\n`);
  return { suite: 'train-browser', browser: `chromium ${browserVersion}`, date: new Date().toISOString(), ...r };
}
