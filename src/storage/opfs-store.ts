// Checkpoints in the browser's Origin Private File System, through the folder protocol of folder-store.ts
// (new folder per save, COMMIT.json last, old folders removed only after the commit). Each file is written
// with createWritable(), which Chromium writes to a swap file and moves into place on close(), or with a
// sync access handle where only that exists (Safari's workers). Before every save the store asks
// navigator.storage.estimate() and refuses with StorageFullError when the files would not fit; a quota
// error during the write becomes the same error, and the partial folder is removed. Estimates are deliberately
// fuzzy (Chromium can report gigabytes more than the quota it enforces), so the write's own quota error is the
// one that counts: its message then claims no free figure.

import {
  type CheckpointStore,
  type SavedRunSummary,
  StorageFullError,
  type StoredSummary,
} from './checkpoint-store.ts';
import { FolderCheckpointStore, type StorageFolder } from './folder-store.ts';

const WHERE = 'browser storage (OPFS)';
/** Room kept free beyond the files themselves (swap files, metadata). */
const HEADROOM = 1.05;
const HEADROOM_BYTES = 4 * 2 ** 20;

interface SyncAccessHandle {
  truncate(size: number): void;
  write(data: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NotFoundError' || name === 'TypeMismatchError';
}

export class OpfsFolder implements StorageFolder {
  constructor(private readonly handle: FileSystemDirectoryHandle) {}

  async folder(name: string, create: boolean): Promise<StorageFolder | undefined> {
    try {
      return new OpfsFolder(await this.handle.getDirectoryHandle(name, { create }));
    } catch (error) {
      if (!create && isNotFound(error)) return undefined;
      throw error;
    }
  }

  async entries(): Promise<{ name: string; kind: 'file' | 'folder' }[]> {
    const out: { name: string; kind: 'file' | 'folder' }[] = [];
    for await (const [name, handle] of this.handle.entries()) {
      out.push({ name, kind: handle.kind === 'directory' ? 'folder' : 'file' });
    }
    return out;
  }

  private async file(name: string): Promise<File | undefined> {
    try {
      return await (await this.handle.getFileHandle(name)).getFile();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const file = await this.file(name);
    return file ? new Uint8Array(await file.arrayBuffer()) : undefined;
  }

  async size(name: string): Promise<number | undefined> {
    return (await this.file(name))?.size;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    const handle = await this.handle.getFileHandle(name, { create: true });
    if (typeof handle.createWritable === 'function') {
      const stream = await handle.createWritable();
      try {
        await stream.write(data as Uint8Array<ArrayBuffer>);
        await stream.close(); // the swap file replaces the file here
      } catch (error) {
        await stream.abort().catch(() => {});
        throw error;
      }
      return;
    }
    const sync = await (
      handle as unknown as { createSyncAccessHandle(): Promise<SyncAccessHandle> }
    ).createSyncAccessHandle();
    try {
      sync.truncate(0);
      sync.write(data, { at: 0 });
      sync.flush();
    } finally {
      sync.close();
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.handle.removeEntry(name, { recursive: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** Bytes free for this origin by estimate(); Infinity when the browser does not say. */
async function availableBytes(): Promise<number> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.estimate) return Number.POSITIVE_INFINITY;
  const { quota, usage } = await storage.estimate();
  if (quota === undefined) return Number.POSITIVE_INFINITY;
  return quota - (usage ?? 0);
}

/** Refuses a save of `bytes` that estimate() says will not fit. */
export async function checkOpfsSpace(bytes: number, available = availableBytes): Promise<void> {
  const free = await available();
  const needed = Math.ceil(bytes * HEADROOM) + HEADROOM_BYTES;
  if (free < needed) throw new StorageFullError(needed, free, WHERE);
}

export function hasOpfs(): boolean {
  return typeof globalThis.navigator?.storage?.getDirectory === 'function';
}

/** A write the storage refused for its quota, as StorageFullError (the estimate's free figure was wrong). */
export function quotaError(error: unknown, bytes: number): unknown {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'QuotaExceededError' ? new StorageFullError(bytes, undefined, WHERE) : error;
}

/**
 * The OPFS store under `folderName`, or undefined where the browser has no OPFS. `estimate` is the free space
 * the space check trusts (default: navigator.storage.estimate()).
 */
export async function opfsCheckpointStore<S extends StoredSummary = SavedRunSummary>(
  folderName = 'gpt1-lab-runs',
  estimate: () => Promise<number> = availableBytes,
): Promise<CheckpointStore<S> | undefined> {
  if (!hasOpfs()) return undefined;
  const root = await navigator.storage.getDirectory();
  const folder = await root.getDirectoryHandle(folderName, { create: true });
  return new FolderCheckpointStore<S>(new OpfsFolder(folder), {
    label: WHERE,
    checkSpace: (bytes) => checkOpfsSpace(bytes, estimate),
    mapError: quotaError,
  });
}
