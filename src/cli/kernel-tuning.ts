// Matmul tuning for the CLI: the `--no-tune` option, a JSON file that keeps the per-adapter decisions
// between runs (like the browser's OPFS copy), and installing the tuner on a command's device.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GpuContext } from '../gpu/device.ts';
import { formatTuningDecisions, MatmulTuner, parseTuningDecisions, type TuningStore } from '../ops/matmul-tuner.ts';
import { setGraphTuner } from '../runtime/program.ts';
import type { OptionSpecs } from './args.ts';
import { progress } from './progress.ts';

export const tuneOptions = {
  'no-tune': {
    type: 'boolean',
    help: 'skip timing the matmul variants on this GPU (decisions are cached in the tuning file)',
  },
  'tuning-file': { type: 'string', help: 'where matmul tuning decisions are kept (default ~/.cache/gpt1-lab)' },
} satisfies OptionSpecs;

/** $GPT1_LAB_CACHE, else $XDG_CACHE_HOME/gpt1-lab, else ~/.cache/gpt1-lab; file matmul-tuning.json. */
export function defaultTuningFile(env: NodeJS.ProcessEnv = process.env): string {
  const folder = env.GPT1_LAB_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gpt1-lab');
  return join(folder, 'matmul-tuning.json');
}

/** Decisions in a JSON file (parseTuningDecisions); a missing file is empty. */
export function fileTuningStore(path: string): TuningStore {
  return {
    async load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw e;
      }
      return parseTuningDecisions(text, path);
    },
    async save(entries) {
      // Write then rename: an interrupted save leaves the previous file whole. A cache that cannot be
      // written costs only the timing next time, so it is a warning, and no partial file is left behind.
      const partial = `${path}.${process.pid}.partial`;
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(partial, formatTuningDecisions(entries));
        renameSync(partial, path);
      } catch (error) {
        rmSync(partial, { force: true });
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        progress(`warning: the matmul tuning cache ${path} cannot be written (${code}); the next run times again`);
      }
    },
  };
}

/** Installs a tuner on the command's device unless --no-tune; its choices are logged on stderr. */
export function installTuner(
  ctx: GpuContext,
  o: { 'no-tune'?: boolean; 'tuning-file'?: string },
): MatmulTuner | undefined {
  if (o['no-tune']) return undefined;
  const tuner = new MatmulTuner({ store: fileTuningStore(o['tuning-file'] ?? defaultTuningFile()), log: progress });
  setGraphTuner(ctx, tuner);
  return tuner;
}
