// Checkpoints on disk for the CLI. `--out DIR` is a run folder: each save is a new sub-folder
// DIR/checkpoint-<step> (the layout of Hugging Face Trainer's output_dir), written under a temporary name with
// its manifest last and then renamed into place, so a checkpoint is complete or absent and the previous one is
// never touched. Loading takes a checkpoint folder or a run folder (its latest complete checkpoint), and checks
// the manifest, so a torn or mixed folder is refused naming the file.
import { existsSync, statSync } from 'node:fs';
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { GpuContext } from '../gpu/device.ts';
import { CheckpointError } from '../model/checkpoint-errors.ts';
import { readHfFolder } from '../model/hf-folder-node.ts';
import { MANIFEST_FILE, verifyManifest, withManifest } from '../model/manifest.ts';
import type { NumberField } from '../train/settings/field.ts';
import { UsageError } from './args.ts';
import { progress } from './progress.ts';

const CHECKPOINT_DIR = /^checkpoint-(\d+)$/;

/** The checkpoint sub-folders of a run folder, by step (ascending); only complete ones (with a manifest). */
export async function runCheckpoints(dir: string): Promise<{ step: number; path: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: { step: number; path: string }[] = [];
  for (const entry of entries) {
    const m = CHECKPOINT_DIR.exec(entry.name);
    const path = join(dir, entry.name);
    if (m && entry.isDirectory() && existsSync(join(path, MANIFEST_FILE))) found.push({ step: Number(m[1]), path });
  }
  return found.sort((a, b) => a.step - b.step);
}

/**
 * Checks `--out` before any GPU work: a folder that can be written, holding nothing or only checkpoints of
 * a run. Holding checkpoints is allowed only when resuming (`resuming`: the folder the run came from).
 */
export async function prepareOutDir(out: string, resuming: boolean): Promise<void> {
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} is a file: give a folder (each checkpoint becomes a sub-folder of it)`);
  }
  if (existsSync(out)) {
    const entries = (await readdir(out)).filter((name) => !name.startsWith('.'));
    const foreign = entries.filter((name) => !CHECKPOINT_DIR.test(name));
    if (foreign.length) {
      throw new UsageError(
        `--out ${out} already holds files that are not checkpoints of a run (${foreign.slice(0, 3).join(', ')}): choose a new folder`,
      );
    }
    if (entries.length && !resuming) {
      throw new UsageError(
        `--out ${out} already holds checkpoints of a run (${entries.sort().at(-1)}): continue it with --resume ${out}, or choose a new folder`,
      );
    }
  }
  try {
    await mkdir(out, { recursive: true });
    await access(out, 2 /* W_OK */);
  } catch (error) {
    throw new UsageError(`--out ${out} cannot be written: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** Writes a checkpoint as DIR/checkpoint-<step>, atomically; returns its path. */
export async function saveCheckpointFolder(
  out: string,
  step: number,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<string> {
  const target = join(out, `checkpoint-${step}`);
  const partial = join(out, `.checkpoint-${step}.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    const complete = await withManifest(files);
    // The manifest goes last: a folder with one holds every file it lists.
    const names = [...complete.keys()].filter((n) => n !== MANIFEST_FILE).concat(MANIFEST_FILE);
    for (const name of names) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
        throw new Error(`refusing to write '${name}': not a plain file name`);
      }
      await writeFile(join(partial, name), complete.get(name)!);
    }
    if (existsSync(target)) {
      // The same step saved again (a resumed run passing it): the new copy replaces the old one whole.
      const old = join(out, `.checkpoint-${step}.old-${process.pid}`);
      await rename(target, old);
      await rename(partial, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(partial, target);
    }
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/**
 * A checkpoint's files: `dir` itself when it holds model files, else its latest complete checkpoint-<step>.
 * A folder with a manifest must match it; our checkpoint without one (written before manifests, or cut off
 * by hand) loads with a warning, since nothing proves its files belong together.
 */
export async function loadCheckpointFolder(dir: string): Promise<{ path: string; files: Map<string, Uint8Array> }> {
  if (!existsSync(dir)) throw new UsageError(`${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file: give the checkpoint's folder`);
  let path = dir;
  if (!existsSync(join(dir, 'config.json'))) {
    const latest = (await runCheckpoints(dir)).at(-1);
    if (!latest) {
      throw new UsageError(`${dir} holds neither a checkpoint (config.json) nor complete checkpoint-<step> folders`);
    }
    path = latest.path;
    progress(`${dir}: the latest complete checkpoint is ${basename(path)}`);
  }
  const files = await readHfFolder(path);
  const checked = await inFolder(path, () => verifyManifest(files));
  if (!checked && files.has('training_state.json')) {
    progress(`warning: ${path} has no ${MANIFEST_FILE}: nothing proves its files belong to one checkpoint`);
  }
  return { path, files };
}

/** Runs `read`, prefixing a checkpoint error's file with the folder, so the message names it on disk. */
export async function inFolder<T>(path: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof CheckpointError) {
      // The message starts with the file's name when the error is about one file.
      throw new Error(error.details.file ? join(path, error.message) : `${path}: ${error.message}`);
    }
    throw error;
  }
}

/** The run folder a checkpoint folder belongs to (its parent when it is a checkpoint-<step>). */
export function runFolderOf(checkpointPath: string): string {
  return CHECKPOINT_DIR.test(basename(checkpointPath)) ? dirname(checkpointPath) : checkpointPath;
}

/** `--save-every`: checkpoints between the start and the end (the end always saves when --out is given). */
export const SAVE_EVERY_FIELD: NumberField = {
  label: 'the checkpoint interval',
  help: 'also save a checkpoint every N steps (needs --out)',
  integer: true,
  min: 1,
  max: 10_000_000,
};

/** A run's saves (DIR/checkpoint-<step>), and what a run that failed keeps, in words. */
export class CheckpointWriter {
  private constructor(
    private readonly out: string | undefined,
    private last: string | undefined,
  ) {}

  /** The saves of a run into `out` (none without one); a resumed run's folder keeps its latest checkpoint. */
  static async open(out: string | undefined): Promise<CheckpointWriter> {
    const latest = out && existsSync(out) ? (await runCheckpoints(out)).at(-1)?.path : undefined;
    return new CheckpointWriter(out, latest);
  }

  /** Writes the checkpoint `files()` builds, when the run has an --out folder. */
  async save(step: number, files: () => Promise<Map<string, Uint8Array>>): Promise<void> {
    if (!this.out) return;
    this.last = await saveCheckpointFolder(this.out, step, await files());
    progress(`checkpoint written to ${this.last}`);
  }

  /** `error` with what is kept after it: the last good checkpoint and how to continue from it. */
  failure(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    const kept = this.last
      ? ` The last good checkpoint is kept: ${this.last} (continue with --resume ${this.out}).`
      : this.out
        ? ' No checkpoint was saved before it (--save-every N saves one every N steps).'
        : ' Nothing was saved (--out DIR --save-every N keep checkpoints).';
    return new Error(`${message}${kept}`);
  }
}

/** Ends a run cleanly when its device is lost: `fail` gets the message; returns the unsubscribe. */
export function failOnDeviceLoss(ctx: GpuContext, fail: (message: string) => void): () => void {
  return ctx.onLost(({ reason, message }) =>
    fail(`The GPU device was lost (${reason}${message ? `: ${message}` : ''}).`),
  );
}
