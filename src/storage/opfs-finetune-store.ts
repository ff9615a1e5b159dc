// Finished fine-tuning runs in the browser's Origin Private File System: one JSON file per run in
// gpt1-lab-finetune-runs/ (finetune-store.ts has the format and the rules for files it cannot read).
import { type FinetuneRunStore, FolderFinetuneStore } from './finetune-store.ts';
import { hasOpfs, OpfsFolder } from './opfs-store.ts';

export const FINETUNE_FOLDER = 'gpt1-lab-finetune-runs';

/** The store under `folderName`, or undefined where the browser has no OPFS. */
export async function opfsFinetuneStore(folderName = FINETUNE_FOLDER): Promise<FinetuneRunStore | undefined> {
  if (!hasOpfs()) return undefined;
  const root = await navigator.storage.getDirectory();
  const folder = new OpfsFolder(await root.getDirectoryHandle(folderName, { create: true }));
  return new FolderFinetuneStore(folder, 'browser storage (OPFS)', `browser storage (OPFS) ${folderName}`);
}
