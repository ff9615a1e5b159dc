// Node-only helper for the CLI and tests: reads a Hugging Face model folder into the name -> bytes map that
// hf-format.ts takes (the CLI writes checkpoints through src/cli/checkpoint-folders.ts). The format layer
// itself never touches node:fs.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PICKLE_HEAD_BYTES, readExtent } from './checkpoint-files.ts';

export interface ReadFolderOptions {
  /** Refuse any single file larger than this (default 8 GiB). */
  maxFileBytes?: number;
}

/**
 * Reads the top level of `dir` as checkpoint-files.ts says (weights, configs, tokenizer files in full; pickles
 * only their first bytes). Other files and sub-folders are skipped.
 */
export async function readHfFolder(dir: string, options: ReadFolderOptions = {}): Promise<Map<string, Uint8Array>> {
  const maxFileBytes = options.maxFileBytes ?? 8 * 2 ** 30;
  const files = new Map<string, Uint8Array>();
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (!(entry.isFile() || (entry.isSymbolicLink() && (await stat(path)).isFile()))) continue;
    if (readExtent(entry.name) === 'whole') {
      const size = (await stat(path)).size;
      if (size > maxFileBytes) throw new Error(`${path}: ${size} bytes is over the ${maxFileBytes}-byte limit`);
      files.set(entry.name, new Uint8Array(await readFile(path)));
    } else if (readExtent(entry.name) === 'head') {
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
