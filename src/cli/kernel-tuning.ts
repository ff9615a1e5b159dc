// Matmul tuning for the CLI: the `--no-tune` option, a JSON file that keeps the per-adapter decisions
// between runs (like the browser's OPFS copy), and installing the tuner on a command's device.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GpuContext } from '../gpu/device.ts';
import { MatmulTuner, type TuningStore } from '../ops/matmul-tuner.ts';
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

/** Decisions in a JSON object of strings; a missing file is empty, anything else malformed is an error. */
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
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(`${path}: not JSON (${(e as Error).message})`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error(`${path}: expected an object of decisions`);
      }
      const bad = Object.entries(parsed).find(([, v]) => typeof v !== 'string');
      if (bad) throw new Error(`${path}: the decision for "${bad[0]}" is not a string`);
      return parsed as Record<string, string>;
    },
    async save(entries) {
      mkdirSync(dirname(path), { recursive: true });
      // Write then rename: an interrupted save leaves the previous file whole.
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, `${JSON.stringify(entries, null, 2)}\n`);
      renameSync(partial, path);
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
