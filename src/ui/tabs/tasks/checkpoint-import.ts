// Importing a checkpoint folder from the page: the chosen folder's checkpoints are found by sub-folder
// (storage/checkpoint-selection.ts); with several, the person picks one, and only that one's files are read.
// Files are streamed into one buffer each with a progress figure, then moved (transferred, not copied) to the
// worker, so the page holds one copy of the weights on their way to the GPU and none after.
import { PICKLE_HEAD_BYTES } from '../../../model/checkpoint-files.ts';
import {
  type CheckpointChoice,
  checkpointsInSelection,
  describeChoice,
  relativePaths,
} from '../../../storage/checkpoint-selection.ts';
import { sendCommand } from '../../engine-port.ts';
import { useAppStore } from '../../store/index.ts';

const get = () => useAppStore.getState();

/** The folder being imported: its name, its files by path and its checkpoints (kept here, not in the store). */
let selection: { name: string; files: Map<string, File>; choices: CheckpointChoice[] } | undefined;

/** A file and the path it has in the chosen folder (a folder picker gives `webkitRelativePath`). */
export interface PickedFile {
  file: File;
  relativePath: string;
}

/** Reads a checkpoint folder (or files chosen one by one): one checkpoint is imported, several are listed. */
export async function importCheckpointFiles(list: FileList | null): Promise<void> {
  await importPicked([...(list ?? [])].map((file) => ({ file, relativePath: file.webkitRelativePath })));
}

export async function importPicked(picked: readonly PickedFile[]): Promise<void> {
  if (!picked.length) return;
  const { folder, paths } = relativePaths(picked.map((p) => ({ name: p.file.name, relativePath: p.relativePath })));
  const name = folder ?? picked[0]!.file.name;
  const files = new Map(paths.map((path, i) => [path, picked[i]!.file]));
  const choices = checkpointsInSelection(paths.map((path, i) => ({ path, bytes: picked[i]!.file.size })));
  if (choices.length === 0) {
    get().importFailed(
      `${name} has no model weights (model.safetensors, or training_state.json of a gpt1-lab checkpoint) in it ` +
        'or in its sub-folders: choose the folder that holds them.',
    );
    return;
  }
  selection = { name, files, choices };
  if (choices.length === 1) return importChoice(choices[0]!.folder);
  get().importChoosing(
    name,
    choices.map((c) => ({ folder: c.folder, label: describeChoice(c) })),
  );
}

/** Imports one of the listed checkpoints, by its sub-folder ('' for the chosen folder itself). */
export async function importChoice(folder: string): Promise<void> {
  const choice = selection?.choices.find((c) => c.folder === folder);
  if (!selection || !choice) return;
  const name = folder === '' ? selection.name : `${selection.name}/${folder}`;
  get().importReading(name, choice.bytes);
  try {
    let done = 0;
    const read: { name: string; bytes: ArrayBuffer }[] = [];
    for (const entry of choice.files) {
      const file = selection.files.get(entry.path)!;
      const bytes =
        entry.extent === 'head'
          ? await file.slice(0, PICKLE_HEAD_BYTES).arrayBuffer()
          : await streamFile(file, (n) => get().importProgress(done + n));
      done += bytes.byteLength;
      read.push({ name: entry.name, bytes });
    }
    get().importProgress(done);
    sendCommand(
      { type: 'import-checkpoint', name, files: read },
      read.map((f) => f.bytes),
    );
  } catch (error) {
    get().importFailed(`${name} could not be read: ${(error as Error).message}`);
  }
}

/** A file's bytes, read chunk by chunk into one buffer of its size, reporting the bytes read so far. */
async function streamFile(file: File, onBytes: (bytes: number) => void): Promise<ArrayBuffer> {
  const buffer = new Uint8Array(file.size);
  const reader = file.stream().getReader();
  let at = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.byteLength > buffer.byteLength) throw new Error(`${file.name} grew while it was read`);
    buffer.set(value, at);
    at += value.byteLength;
    // A progress update per ~1% keeps the store quiet for files of hundreds of MiB.
    if (at - reported >= file.size / 100) {
      reported = at;
      onBytes(at);
    }
  }
  if (at !== file.size) throw new Error(`${file.name} has ${at} bytes, not the ${file.size} it had when chosen`);
  return buffer.buffer;
}
