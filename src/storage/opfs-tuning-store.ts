// The matmul tuner's decisions in the browser's Origin Private File System: one JSON object (shape key to
// kernel name) in gpt1-lab-tuning/matmul.json, so a GPU's shapes are timed once per browser profile rather
// than once per page load. A file that does not read as such an object is refused with an error naming it;
// the tuner then logs it, times the shapes again, and its next save replaces the file whole.
import { formatTuningDecisions, parseTuningDecisions, type TuningStore } from '../ops/matmul-tuner.ts';
import { hasOpfs, OpfsFolder } from './opfs-store.ts';

export const TUNING_FOLDER = 'gpt1-lab-tuning';
export const TUNING_FILE = 'matmul.json';

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
      return bytes ? parseTuningDecisions(new TextDecoder().decode(bytes), where) : {};
    },
    async save(entries) {
      await folder.write(fileName, new TextEncoder().encode(formatTuningDecisions(entries)));
    },
  };
}
