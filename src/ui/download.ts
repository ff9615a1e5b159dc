// Saving engine output to the user's disk: a folder of files becomes one .zip (fflate), offered as a
// download. Nothing is uploaded anywhere.
import { zipSync } from 'fflate';

/** Zips `files` (name -> bytes) at level 0 (safetensors do not compress) and downloads `zipName`. */
export function downloadZip(zipName: string, files: { name: string; bytes: ArrayBuffer }[]): void {
  const entries = Object.fromEntries(files.map((f) => [f.name, new Uint8Array(f.bytes)]));
  const zip = zipSync(entries, { level: 0 });
  const url = URL.createObjectURL(new Blob([zip], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = zipName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
