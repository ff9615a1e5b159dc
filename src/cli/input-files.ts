// Files the CLI is told to read (corpora, task files, fixture references): one-line errors that name the file
// and the option for what Node would otherwise report raw (ENOENT, EISDIR, EACCES, a file over the 2 GiB a
// buffer can hold), checked before the bytes are read.
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './args.ts';

/** Node cannot read a file of 2 GiB or more into one buffer. */
const MAX_READ_BYTES = 2 ** 31 - 1;

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** The bytes of `path` (given as `--option`); `maxBytes` names a smaller limit of what reads it. */
export function readInputFile(path: string, option: string, maxBytes = MAX_READ_BYTES): Uint8Array {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new UsageError(`${option} ${path} is a folder, not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${option} ${path} does not exist`);
    throw new UsageError(`${option} ${path} cannot be read (${code ?? (error as Error).message})`);
  }
  const limit = Math.min(maxBytes, MAX_READ_BYTES);
  if (size > limit) {
    throw new UsageError(
      `${option} ${path} is ${gib(size)}; at most ${limit === MAX_READ_BYTES ? '2 GiB' : gib(limit)} can be read`,
    );
  }
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new UsageError(`${option} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}
