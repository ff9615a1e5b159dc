// Reads a parity fixture folder (the layout of ../shared/fixtures/hf-tiny) from disk, for the CLI and tests.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readHfFolder } from '../model/hf-folder-node.ts';
import type { FixtureFiles } from './parity.ts';

export async function readFixtureFolder(dir: string): Promise<FixtureFiles> {
  const [base, doubleHeads, reference, referenceJson] = await Promise.all([
    readHfFolder(join(dir, 'base')),
    readHfFolder(join(dir, 'double-heads')),
    readFile(join(dir, 'reference.safetensors')),
    readFile(join(dir, 'reference.json'), 'utf8'),
  ]);
  try {
    JSON.parse(referenceJson);
  } catch (error) {
    throw new Error(`${join(dir, 'reference.json')} is not valid JSON (${(error as Error).message}): is it cut short?`);
  }
  return { base, doubleHeads, reference: new Uint8Array(reference), referenceJson };
}
