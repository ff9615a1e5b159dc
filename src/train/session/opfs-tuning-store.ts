// The matmul tuner's decisions in the browser's Origin Private File System: one JSON object (shape key to
// kernel name) in gpt1-lab-tuning/matmul.json, so a GPU's shapes are timed once per browser profile rather
// than once per page load. A file that does not read as such an object is refused with an error naming it;
// the tuner then logs it, times the shapes again, and its next save replaces the file whole.
import type { TuningStore } from '../../ops/matmul-tuner.ts';
import { hasOpfs, OpfsFolder } from './opfs-store.ts';

export const TUNING_FOLDER = 'gpt1-lab-tuning';
export const TUNING_FILE = 'matmul.json';

/** The decisions in `text`, or an error saying what is wrong with the file `where`. */
export function parseTuningFile(text: string, where: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new Error(`${where} should hold an object of kernel names by shape, but holds ${found}`);
  }
  for (const [key, name] of Object.entries(value)) {
    if (typeof name !== 'string') {
      throw new Error(`${where}: the entry "${key}" should be a kernel name, but is ${JSON.stringify(name)}`);
    }
  }
  return value as Record<string, string>;
}

/** The tuning store in OPFS under `folderName`, or undefined where the browser has no OPFS. */
export async function opfsTuningStore(
  folderName = TUNING_FOLDER,
  fileName = TUNING_FILE,
): Promise<TuningStore | undefined> {
  if (!hasOpfs()) return undefined;
  const root = await navigator.storage.getDirectory();
  const folder = new OpfsFolder(await root.getDirectoryHandle(folderName, { create: true }));
  const where = `browser storage (OPFS) ${folderName}/${fileName}`;
  return {
    async load() {
      const bytes = await folder.read(fileName);
      return bytes ? parseTuningFile(new TextDecoder().decode(bytes), where) : {};
    },
    async save(entries) {
      await folder.write(fileName, new TextEncoder().encode(`${JSON.stringify(entries, null, 1)}\n`));
    },
  };
}
