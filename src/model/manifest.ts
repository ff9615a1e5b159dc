// A checkpoint folder's manifest: every other file's name, size and SHA-256, written last, so a folder is
// known complete and its files known to belong together. A loader that finds a manifest checks it and refuses
// a folder with a missing, cut-short or foreign file, naming it; a Hugging Face folder has none and is read as
// it is. SHA-256 comes from Web Crypto (crypto.subtle), which Node and every browser with WebGPU have.
import { CheckpointError } from './checkpoint-errors.ts';

export const MANIFEST_FILE = 'manifest.json';
const MANIFEST_FORMAT = 'gpt1-lab-manifest';
const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  name: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  files: ManifestEntry[];
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The manifest of `files` (sorted by name; a manifest already among them is not listed). */
export async function buildManifest(files: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array> {
  const entries: ManifestEntry[] = [];
  for (const name of [...files.keys()].sort()) {
    if (name === MANIFEST_FILE) continue;
    const data = files.get(name)!;
    entries.push({ name, bytes: data.byteLength, sha256: await sha256Hex(data) });
  }
  const manifest: Manifest = { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, files: entries };
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`);
}

/** `files` plus its manifest. */
export async function withManifest(files: ReadonlyMap<string, Uint8Array>): Promise<Map<string, Uint8Array>> {
  const out = new Map(files);
  out.set(MANIFEST_FILE, await buildManifest(files));
  return out;
}

function parseManifest(bytes: Uint8Array): Manifest {
  let value: Manifest;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Manifest;
  } catch (error) {
    throw new CheckpointError('MANIFEST_MISMATCH', `not valid JSON (${(error as Error).message})`, {
      file: MANIFEST_FILE,
    });
  }
  const ok =
    value?.format === MANIFEST_FORMAT &&
    value.version === MANIFEST_VERSION &&
    Array.isArray(value.files) &&
    value.files.every((f) => typeof f?.name === 'string' && Number.isInteger(f.bytes) && typeof f.sha256 === 'string');
  if (!ok) {
    throw new CheckpointError('MANIFEST_MISMATCH', `not a ${MANIFEST_FORMAT} version ${MANIFEST_VERSION} file list`, {
      file: MANIFEST_FILE,
    });
  }
  return value;
}

/**
 * Checks `files` against their manifest. Returns false when there is none (a folder from elsewhere); throws
 * MANIFEST_MISMATCH naming the first file that is missing, of another size, or of other contents.
 */
export async function verifyManifest(files: ReadonlyMap<string, Uint8Array>): Promise<boolean> {
  const bytes = files.get(MANIFEST_FILE);
  if (!bytes) return false;
  for (const entry of parseManifest(bytes).files) {
    const data = files.get(entry.name);
    const at = { file: entry.name };
    if (!data) {
      throw new CheckpointError('MANIFEST_MISMATCH', 'listed in manifest.json but missing from the folder', at);
    }
    if (data.byteLength !== entry.bytes) {
      throw new CheckpointError(
        'MANIFEST_MISMATCH',
        `${data.byteLength} bytes, manifest.json says ${entry.bytes}: the file was cut short or replaced`,
        at,
      );
    }
    if ((await sha256Hex(data)) !== entry.sha256) {
      throw new CheckpointError(
        'MANIFEST_MISMATCH',
        'its SHA-256 differs from manifest.json: the file comes from another checkpoint or was changed',
        at,
      );
    }
  }
  return true;
}
