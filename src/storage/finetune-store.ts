// Where finished fine-tuning runs are kept across reloads: one JSON file per run (or comparison variant),
// <key>.json, in a folder of the same StorageFolder API as the checkpoint store (OPFS in the browser, memory
// in tests and where there is no OPFS). A record is written whole, once, when its run ends; OPFS's
// createWritable() replaces the file only on close, so a file is complete or absent. A file that does not read
// as a record (cut short, not JSON, another version) is skipped with a message naming it; the others list.

import { type FinetuneRecord, parseFinetuneRecord } from './finetune-record.ts';
import { checkRunId, type StorageFolder } from './folder-store.ts';
import { MemoryFolder } from './memory-store.ts';

const SUFFIX = '.json';

export interface FinetuneRunList {
  /** Newest first. */
  runs: FinetuneRecord[];
  /** One message per stored file that could not be read, naming it. */
  skipped: string[];
}

export interface FinetuneRunStore {
  /** A label for messages ("browser storage (OPFS)", "memory"). */
  readonly label: string;
  save(record: FinetuneRecord): Promise<void>;
  list(): Promise<FinetuneRunList>;
  delete(key: string): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class FolderFinetuneStore implements FinetuneRunStore {
  constructor(
    private readonly folder: StorageFolder,
    readonly label: string,
    /** How a file is named in messages (e.g. its folder). */
    private readonly where: string = label,
  ) {}

  async save(record: FinetuneRecord): Promise<void> {
    checkRunId(record.key);
    await this.folder.write(`${record.key}${SUFFIX}`, encoder.encode(`${JSON.stringify(record)}\n`));
  }

  async list(): Promise<FinetuneRunList> {
    const runs: FinetuneRecord[] = [];
    const skipped: string[] = [];
    for (const entry of await this.folder.entries()) {
      if (entry.kind !== 'file' || !entry.name.endsWith(SUFFIX)) continue;
      const where = `${this.where}/${entry.name}`;
      try {
        const bytes = await this.folder.read(entry.name);
        if (!bytes) continue; // deleted meanwhile
        const record = parseFinetuneRecord(decoder.decode(bytes), where);
        if (`${record.key}${SUFFIX}` !== entry.name) {
          throw new Error(`${where} holds the record of ${JSON.stringify(record.key)}; skipped.`);
        }
        runs.push(record);
      } catch (error) {
        skipped.push(error instanceof Error ? error.message : String(error));
      }
    }
    runs.sort((a, b) => b.endedAt.localeCompare(a.endedAt) || a.key.localeCompare(b.key));
    return { runs, skipped };
  }

  async delete(key: string): Promise<void> {
    checkRunId(key);
    await this.folder.remove(`${key}${SUFFIX}`);
  }
}

/** A fresh in-memory store; pass `folder` to inspect or corrupt its files. */
export function memoryFinetuneStore(folder = new MemoryFolder()): FinetuneRunStore {
  return new FolderFinetuneStore(folder, 'memory (lost when the tab closes)', 'fine-tuning runs');
}
