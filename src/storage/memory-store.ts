// An in-memory checkpoint store: the same folder protocol as OPFS over nested Maps. Used by tests (with
// fault injection, to prove that an interrupted save keeps the previous checkpoint) and as the fallback
// where a browser has no OPFS (saved runs then last until the tab closes).

import type { CheckpointStore, SavedRunSummary, StoredSummary } from './checkpoint-store.ts';
import { FolderCheckpointStore, type StorageFolder } from './folder-store.ts';

export class MemoryFolder implements StorageFolder {
  private readonly items = new Map<string, Uint8Array | MemoryFolder>();
  /** Test hook: called before every file write; throwing simulates a failing disk. */
  beforeWrite: ((path: string, data: Uint8Array) => void) | undefined;

  constructor(private readonly path = '') {}

  async folder(name: string, create: boolean): Promise<StorageFolder | undefined> {
    const item = this.items.get(name);
    if (item instanceof MemoryFolder) return item;
    if (item !== undefined) throw new Error(`${this.path}/${name} is a file, not a folder`);
    if (!create) return undefined;
    const folder = new MemoryFolder(`${this.path}/${name}`);
    folder.beforeWrite = (path, data) => this.beforeWrite?.(path, data);
    this.items.set(name, folder);
    return folder;
  }

  async entries(): Promise<{ name: string; kind: 'file' | 'folder' }[]> {
    return [...this.items].map(([name, item]) => ({ name, kind: item instanceof MemoryFolder ? 'folder' : 'file' }));
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const item = this.items.get(name);
    return item instanceof Uint8Array ? item.slice() : undefined;
  }

  async size(name: string): Promise<number | undefined> {
    const item = this.items.get(name);
    return item instanceof Uint8Array ? item.byteLength : undefined;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    this.beforeWrite?.(`${this.path}/${name}`, data);
    this.items.set(name, data.slice());
  }

  async remove(name: string): Promise<void> {
    this.items.delete(name);
  }
}

/** A fresh in-memory store; pass `root` to inspect or fault-inject its folders. */
export function memoryCheckpointStore<S extends StoredSummary = SavedRunSummary>(
  root = new MemoryFolder(),
  keep = 1,
): CheckpointStore<S> {
  return new FolderCheckpointStore<S>(root, { label: 'memory (lost when the tab closes)', keep });
}
