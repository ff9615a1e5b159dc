// Which checkpoints a chosen folder holds. A folder picker gives every file under the folder with its path;
// a model may sit in the folder itself or in sub-folders (Hugging Face Trainer's `checkpoint-500/`, our run
// folders' `checkpoint-<step>/`). Files are grouped by the folder they are in, never flattened by file name
// (two checkpoints both hold a model.safetensors): each folder with weights is one checkpoint to choose from.
// Tokenizer files a checkpoint lacks are taken from the nearest folder above it, as Trainer often saves the
// tokenizer once at the top of its output folder.
import { PICKLE_HEAD_BYTES, readExtent } from '../model/checkpoint-files.ts';
import { GPT1_TOKENIZER_FILE_NAMES } from '../tokenizer/gpt1-files.ts';

/** A file of the selection: its path below the chosen folder ("checkpoint-2/model.safetensors") and size. */
export interface SelectedFile {
  path: string;
  bytes: number;
}

/** One checkpoint in the selection: where it is, its step when the folder name says it, and its files. */
export interface CheckpointChoice {
  /** Its folder below the chosen one ('' for the chosen folder itself). */
  folder: string;
  /** N of a `checkpoint-N` folder; null otherwise. */
  step: number | null;
  /** Each file to read (checkpoint-files.ts): the name the importer sees (no folder), its path, how much. */
  files: { name: string; path: string; extent: 'whole' | 'head' }[];
  /** Bytes to read for those files together. */
  bytes: number;
  /** Tokenizer files taken from a folder above it, by path. */
  inherited: string[];
}

/**
 * Weights of ours or of Hugging Face (optimizer.safetensors holds Adam moments, not weights). PyTorch's pickled
 * weights count too, so that the importer names and refuses them rather than the folder looking empty.
 */
function isWeightsFile(name: string): boolean {
  if (name === 'training_state.json' || name === 'model.safetensors.index.json') return true;
  if (/^pytorch_model.*\.bin$/.test(name)) return true;
  return name.endsWith('.safetensors') && name !== 'optimizer.safetensors';
}

function split(path: string): { folder: string; name: string } {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? { folder: '', name: path } : { folder: path.slice(0, cut), name: path.slice(cut + 1) };
}

function parent(folder: string): string | null {
  if (folder === '') return null;
  const cut = folder.lastIndexOf('/');
  return cut < 0 ? '' : folder.slice(0, cut);
}

const TOKENIZER_NAMES: ReadonlySet<string> = new Set(GPT1_TOKENIZER_FILE_NAMES);

/**
 * The checkpoints of a selection, the chosen folder's own first, then by step, then by folder name. Paths are
 * relative to the chosen folder, with '/' between parts (strip the folder's own name first: `relativePaths`).
 */
export function checkpointsInSelection(files: readonly SelectedFile[]): CheckpointChoice[] {
  const byFolder = new Map<string, Map<string, SelectedFile>>();
  for (const file of files) {
    const { folder, name } = split(file.path);
    if (readExtent(name) === 'skip') continue;
    if (!byFolder.has(folder)) byFolder.set(folder, new Map());
    byFolder.get(folder)!.set(name, file);
  }
  const choices: CheckpointChoice[] = [];
  for (const [folder, own] of byFolder) {
    if (![...own.keys()].some(isWeightsFile)) continue;
    const chosen = new Map([...own].map(([name, file]) => [name, { name, path: file.path, bytes: file.bytes }]));
    const inherited: string[] = [];
    for (let above = parent(folder); above !== null; above = parent(above)) {
      for (const [name, file] of byFolder.get(above) ?? []) {
        if (!TOKENIZER_NAMES.has(name) || chosen.has(name)) continue;
        chosen.set(name, { name, path: file.path, bytes: file.bytes });
        inherited.push(file.path);
      }
    }
    const list = [...chosen.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((f) => ({ ...f, extent: readExtent(f.name) as 'whole' | 'head' }));
    const match = /(?:^|\/)checkpoint-(\d+)$/.exec(folder);
    choices.push({
      folder,
      step: match ? Number(match[1]) : null,
      files: list.map(({ name, path, extent }) => ({ name, path, extent })),
      bytes: list.reduce((sum, f) => sum + (f.extent === 'whole' ? f.bytes : Math.min(f.bytes, PICKLE_HEAD_BYTES)), 0),
      inherited,
    });
  }
  const rank = (c: CheckpointChoice) => (c.folder === '' ? -1 : (c.step ?? Number.MAX_SAFE_INTEGER));
  return choices.sort((a, b) => rank(a) - rank(b) || (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}

/**
 * Paths below the chosen folder from a folder picker's `webkitRelativePath`s ("run/checkpoint-2/config.json"
 * → "checkpoint-2/config.json"). Files chosen one by one have no path: their name is used.
 */
export function relativePaths(entries: readonly { name: string; relativePath: string }[]): {
  folder: string | null;
  paths: string[];
} {
  const withPath = entries.every((e) => e.relativePath.includes('/'));
  if (!withPath || entries.length === 0) return { folder: null, paths: entries.map((e) => e.name) };
  const folder = entries[0]!.relativePath.split('/')[0]!;
  return { folder, paths: entries.map((e) => e.relativePath.slice(e.relativePath.indexOf('/') + 1)) };
}

/** How a checkpoint reads in a list: "checkpoint-500 (step 500, 476.3 MiB)" or "the folder itself (…)". */
export function describeChoice(choice: CheckpointChoice): string {
  const where = choice.folder === '' ? 'the folder itself' : choice.folder;
  const size = `${(choice.bytes / 2 ** 20).toFixed(1)} MiB`;
  const from = choice.inherited.length ? split(choice.inherited[0]!).folder : null;
  const tokenizer = from === null ? '' : `, tokenizer from ${from === '' ? 'the top folder' : from}`;
  return `${where} (${choice.step === null ? '' : `step ${choice.step}, `}${size}${tokenizer})`;
}
