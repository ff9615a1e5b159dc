// A task file's bytes as text, for the app and the CLI alike: refused when it is too large, empty, binary or
// not UTF-8, with the file, byte offset and line named (a replacement character would silently change a
// label or a sentence).
import { findUtf8Problem } from '../utf8.ts';
import { MAX_TASK_FILE_BYTES } from './parse-task-file.ts';
import { TaskFileError } from './task-types.ts';

/** Bytes to text, refusing what is not a UTF-8 text file; errors name the file, the byte offset and the line. */
export function decodeTaskFile(name: string, bytes: Uint8Array): string {
  if (bytes.length > MAX_TASK_FILE_BYTES) {
    throw new TaskFileError(name, undefined, `is larger than ${MAX_TASK_FILE_BYTES / 2 ** 20} MiB`);
  }
  if (bytes.length === 0) throw new TaskFileError(name, undefined, 'is empty');
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    let line = 1;
    for (let i = 0; i < nul; i++) if (bytes[i] === 0x0a) line++;
    throw new TaskFileError(
      name,
      line,
      `looks binary (a NUL byte at byte ${nul}): task files are UTF-8 text (GLUE TSV, CSV or JSONL)`,
    );
  }
  const problem = findUtf8Problem(bytes);
  if (problem) {
    throw new TaskFileError(
      name,
      problem.line,
      `is not valid UTF-8 at byte ${problem.offset} (${problem.reason}); save it as UTF-8 text`,
    );
  }
  return new TextDecoder().decode(bytes);
}
