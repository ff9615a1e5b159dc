// Node-only helper for the CLI and tests: reads a Hugging Face model folder into the name -> bytes map that
// hf-format.ts takes (the CLI writes checkpoints through src/cli/checkpoint-folders.ts). The format layer
// itself never touches node:fs.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Files the format layer reads in full. */
const READ_IN_FULL = /\.(json|safetensors|txt|md)$/i;
/** Pickle-style weights: only their first bytes are read, so the importer can name and refuse them. */
const PICKLE_NAMES = /\.(bin|pt|pth|ckpt|pkl|pickle)$/i;
const PICKLE_HEAD_BYTES = 64;

export interface ReadFolderOptions {
  /** Refuse any single file larger than this (default 8 GiB). */
  maxFileBytes?: number;
}

/**
 * Reads the top level of `dir`: JSON, safetensors, text and markdown files in full; pickles (.bin/.pt/...) only
 * their first 64 bytes (enough to recognise and refuse them). Other files and sub-folders are skipped.
 */
export async function readHfFolder(dir: string, options: ReadFolderOptions = {}): Promise<Map<string, Uint8Array>> {
  const maxFileBytes = options.maxFileBytes ?? 8 * 2 ** 30;
  const files = new Map<string, Uint8Array>();
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (!(entry.isFile() || (entry.isSymbolicLink() && (await stat(path)).isFile()))) continue;
    if (READ_IN_FULL.test(entry.name)) {
      const size = (await stat(path)).size;
      if (size > maxFileBytes) throw new Error(`${path}: ${size} bytes is over the ${maxFileBytes}-byte limit`);
      files.set(entry.name, new Uint8Array(await readFile(path)));
    } else if (PICKLE_NAMES.test(entry.name)) {
      const handle = await open(path, 'r');
      try {
        const head = new Uint8Array(PICKLE_HEAD_BYTES);
        const { bytesRead } = await handle.read(head, 0, PICKLE_HEAD_BYTES, 0);
        files.set(entry.name, head.subarray(0, bytesRead));
      } finally {
        await handle.close();
      }
    }
  }
  return files;
}
