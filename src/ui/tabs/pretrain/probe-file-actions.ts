// What the Pretrain tab can ask for about zero-shot probe sets: add probe files (dropped or chosen), remove
// one, leave the built-in sets in or out. Each change sends the whole list to the worker ('set-probe-files'),
// which reads every file and answers with what it read; the next run scores those sets. The files' bytes are
// kept here (copied to the worker, not transferred) so that a later change can send them again. A file that
// cannot even be read here (too large) gets an error beside the input, as a corpus file does.
import { sendCommand } from '../../engine-port.ts';
import { formatBytes } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';

const get = () => useAppStore.getState();

/** Matches the worker's cap for task files (parse-task-file.ts MAX_TASK_FILE_BYTES): probe files are task files. */
const MAX_PROBE_FILE_BYTES = 64 * 1024 * 1024;

/** Each listed file's bytes, in the order shown. */
const held = new Map<string, ArrayBuffer>();

function send(builtin: boolean): void {
  const files = [...held].map(([name, bytes]) => ({ name, bytes }));
  get().probeFilesChanged(
    builtin,
    files.map((f) => ({ name: f.name, bytes: f.bytes.byteLength })),
  );
  // Not transferred: structured clone copies the bytes, and `held` keeps its own for the next change.
  sendCommand({ type: 'set-probe-files', builtin, files });
}

/** Adds probe files (a file of a listed name replaces it) and sends the list. */
export async function addProbeFiles(files: readonly File[]): Promise<void> {
  get().clearErrors('probes');
  let added = 0;
  for (const file of files) {
    const fail = (message: string) => get().pushError({ where: file.name, message, target: 'probes' });
    if (file.size > MAX_PROBE_FILE_BYTES) {
      fail(`${file.name} is ${formatBytes(file.size)}; probe files can be at most 64 MiB.`);
      continue;
    }
    try {
      const bytes = await file.arrayBuffer();
      held.delete(file.name); // a replaced file moves to the end, as a new one would
      held.set(file.name, bytes);
      added++;
    } catch (error) {
      fail(`${file.name} could not be read: ${(error as Error).message}`);
    }
  }
  if (added) send(get().probeFiles.builtin);
}

export function removeProbeFile(name: string): void {
  if (held.delete(name)) send(get().probeFiles.builtin);
}

export function setBuiltinProbes(on: boolean): void {
  send(on);
}
