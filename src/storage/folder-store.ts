// The checkpoint store's on-disk protocol over any folder API (OPFS, memory). No file is ever rewritten in
// place, so a crash or a full disk mid-save cannot damage what is already saved:
//   <runId>/corpus.txt, ...       the run's fixed files, written once
//   <runId>/run.json              written after them: a run without it is incomplete and ignored
//   <runId>/ckpt-00000007/...     one new folder per save (sequence number, never reused)
//   <runId>/ckpt-00000007/COMMIT.json   written last: the summary and every file's size
// A checkpoint folder counts only when its COMMIT.json parses and every file it lists has that size.
// Older folders are deleted only after a newer one is committed (the newest `keep` committed stay).
import {
  type CheckpointStore,
  type SavedRun,
  type SavedRunSummary,
  type StoredSummary,
  totalBytes,
} from './checkpoint-store.ts';

/** The few folder operations the protocol needs; each implementation maps them to its storage. */
export interface StorageFolder {
  /** The child folder `name`, created when `create` is set; undefined when missing. */
  folder(name: string, create: boolean): Promise<StorageFolder | undefined>;
  entries(): Promise<{ name: string; kind: 'file' | 'folder' }[]>;
  /** A file's bytes, or undefined when missing. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** A file's size in bytes (without reading it), or undefined when missing. */
  size(name: string): Promise<number | undefined>;
  /** Creates or replaces a whole file. */
  write(name: string, data: Uint8Array): Promise<void>;
  /** Removes a file or folder (recursively); missing is fine. */
  remove(name: string): Promise<void>;
}

export interface FolderStoreOptions {
  label: string;
  /** Committed checkpoints kept per run (default 1: the previous one goes once the new one is complete). */
  keep?: number;
  /** Called with the bytes about to be written; throws StorageFullError when they do not fit. */
  checkSpace?: (bytes: number) => Promise<void>;
  /** Maps a storage error (e.g. QuotaExceededError) to a clearer one. */
  mapError?: (error: unknown, bytes: number) => unknown;
}

export const RUN_MANIFEST = 'run.json';
export const COMMIT_FILE = 'COMMIT.json';
const CHECKPOINT_PREFIX = 'ckpt-';
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

interface Commit<S> {
  summary: S;
  /** name -> bytes of every file of the checkpoint. */
  files: Record<string, number>;
}

/** Run ids become folder names: letters, digits, '.', '_' and '-', at most 100. */
export function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new Error(
      `Run id ${JSON.stringify(runId)} is not usable as a folder name (letters, digits, ".", "_", "-"; at most 100).`,
    );
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function checkpointSequence(name: string): number | undefined {
  if (!name.startsWith(CHECKPOINT_PREFIX)) return undefined;
  const n = Number(name.slice(CHECKPOINT_PREFIX.length));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export class FolderCheckpointStore<S extends StoredSummary = SavedRunSummary> implements CheckpointStore<S> {
  readonly label: string;
  private readonly keep: number;

  constructor(
    private readonly root: StorageFolder,
    private readonly options: FolderStoreOptions,
  ) {
    this.label = options.label;
    this.keep = Math.max(1, options.keep ?? 1);
  }

  async saveRun(runId: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
    checkRunId(runId);
    const manifest = files.get(RUN_MANIFEST);
    if (!manifest) throw new Error(`saveRun: the run's files must include ${RUN_MANIFEST}`);
    const bytes = totalBytes(files);
    await this.options.checkSpace?.(bytes);
    const folder = await this.root.folder(runId, true);
    try {
      await folder!.remove(RUN_MANIFEST); // an earlier, interrupted save of this run
      for (const [name, data] of files) if (name !== RUN_MANIFEST) await folder!.write(name, data);
      await folder!.write(RUN_MANIFEST, manifest); // the run's commit point
    } catch (error) {
      await folder!.remove(RUN_MANIFEST).catch(() => {});
      throw this.options.mapError?.(error, bytes) ?? error;
    }
  }

  async saveCheckpoint(runId: string, files: ReadonlyMap<string, Uint8Array>, summary: S): Promise<number> {
    checkRunId(runId);
    const run = await this.root.folder(runId, false);
    if (!run || !(await run.read(RUN_MANIFEST))) throw new Error(`run ${runId} has no saved run files`);
    const bytes = totalBytes(files);
    await this.options.checkSpace?.(bytes);
    const existing = await this.checkpointFolders(run);
    const sequence = existing.length ? existing.at(-1)!.sequence + 1 : 1;
    const name = `${CHECKPOINT_PREFIX}${String(sequence).padStart(8, '0')}`;
    const commit: Commit<S> = { summary, files: {} };
    try {
      const folder = (await run.folder(name, true))!;
      for (const [file, data] of files) {
        if (file === COMMIT_FILE) throw new Error(`a checkpoint file may not be called ${COMMIT_FILE}`);
        await folder.write(file, data);
        commit.files[file] = data.byteLength;
      }
      await folder.write(COMMIT_FILE, encoder.encode(JSON.stringify(commit))); // the commit point
    } catch (error) {
      await run.remove(name).catch(() => {});
      throw this.options.mapError?.(error, bytes) ?? error;
    }
    await this.prune(run, sequence);
    return bytes;
  }

  async load(runId: string): Promise<SavedRun<S>> {
    checkRunId(runId);
    const run = await this.root.folder(runId, false);
    const manifest = await run?.read(RUN_MANIFEST);
    if (!run || !manifest) throw new Error(`No saved run ${runId} in ${this.label}.`);
    const latest = await this.latestCommitted(run);
    if (!latest) throw new Error(`Run ${runId} has no complete checkpoint in ${this.label}.`);
    const runFiles = new Map<string, Uint8Array>();
    for (const entry of await run.entries()) {
      if (entry.kind !== 'file') continue;
      const data = await run.read(entry.name);
      if (data) runFiles.set(entry.name, data);
    }
    const folder = (await run.folder(latest.name, false))!;
    const checkpoint = new Map<string, Uint8Array>();
    for (const file of Object.keys(latest.commit.files)) checkpoint.set(file, (await folder.read(file))!);
    return { summary: latest.commit.summary, run: runFiles, checkpoint };
  }

  async list(): Promise<S[]> {
    const runs: S[] = [];
    for (const entry of await this.root.entries()) {
      if (entry.kind !== 'folder' || !RUN_ID.test(entry.name)) continue;
      const run = (await this.root.folder(entry.name, false))!;
      if (!(await run.read(RUN_MANIFEST))) continue;
      const latest = await this.latestCommitted(run);
      if (latest) runs.push({ ...latest.commit.summary, bytes: await this.runBytes(run, latest.commit) });
    }
    return runs.sort((a, b) => b.savedAt.localeCompare(a.savedAt) || a.runId.localeCompare(b.runId));
  }

  async delete(runId: string): Promise<void> {
    checkRunId(runId);
    await this.root.remove(runId);
  }

  /** What deleting the run frees, near enough: its fixed files and its latest checkpoint. */
  private async runBytes(run: StorageFolder, latest: Commit<S>): Promise<number> {
    let bytes = 0;
    for (const entry of await run.entries()) if (entry.kind === 'file') bytes += (await run.size(entry.name)) ?? 0;
    for (const size of Object.values(latest.files)) bytes += size;
    return bytes;
  }

  private async checkpointFolders(run: StorageFolder): Promise<{ name: string; sequence: number }[]> {
    const folders: { name: string; sequence: number }[] = [];
    for (const entry of await run.entries()) {
      const sequence = checkpointSequence(entry.name);
      if (entry.kind === 'folder' && sequence !== undefined) folders.push({ name: entry.name, sequence });
    }
    return folders.sort((a, b) => a.sequence - b.sequence);
  }

  /** The folder's commit when it is complete: COMMIT.json parses and every listed file has its size. */
  private async readCommit(run: StorageFolder, name: string): Promise<Commit<S> | undefined> {
    const folder = await run.folder(name, false);
    const bytes = await folder?.read(COMMIT_FILE);
    if (!folder || !bytes) return undefined;
    let commit: Commit<S>;
    try {
      commit = JSON.parse(decoder.decode(bytes)) as Commit<S>;
    } catch {
      return undefined;
    }
    if (!commit?.summary || typeof commit.files !== 'object' || commit.files === null) return undefined;
    for (const [file, size] of Object.entries(commit.files)) if ((await folder.size(file)) !== size) return undefined;
    return commit;
  }

  private async latestCommitted(run: StorageFolder): Promise<{ name: string; commit: Commit<S> } | undefined> {
    const folders = await this.checkpointFolders(run);
    for (let i = folders.length - 1; i >= 0; i--) {
      const commit = await this.readCommit(run, folders[i]!.name);
      if (commit) return { name: folders[i]!.name, commit };
    }
    return undefined;
  }

  /** After committing `sequence`: drops incomplete folders and all but the newest `keep` committed ones. */
  private async prune(run: StorageFolder, sequence: number): Promise<void> {
    let kept = 0;
    const folders = (await this.checkpointFolders(run)).reverse();
    for (const { name, sequence: s } of folders) {
      if (s > sequence) continue; // a concurrent newer save: not ours to judge
      const complete = s === sequence || (await this.readCommit(run, name)) !== undefined;
      if (complete && kept < this.keep) kept++;
      else await run.remove(name).catch(() => {});
    }
  }
}
