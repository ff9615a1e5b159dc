// The checkpoint manifest: it lists every other file with its size and SHA-256, and a folder that does not
// match it (a file missing, cut short, or from another checkpoint) is refused naming the file.
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint-errors.ts';
import { buildManifest, MANIFEST_FILE, verifyManifest, withManifest } from './manifest.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const folder = () =>
  new Map([
    ['model.safetensors', bytes('weights of run A')],
    ['config.json', bytes('{"n_layer": 2}')],
  ]);

describe('checkpoint manifest', () => {
  it('lists every file sorted by name with its size and SHA-256', async () => {
    const manifest = JSON.parse(new TextDecoder().decode(await buildManifest(folder())));
    expect(manifest.format).toBe('gpt1-lab-manifest');
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['config.json', 'model.safetensors']);
    // SHA-256 of "weights of run A", computed independently (sha256sum).
    expect(manifest.files[1]).toEqual({
      name: 'model.safetensors',
      bytes: 16,
      sha256: '90e793109848b0524dc9e3792874b06f774682b643845f68c3473bf801b1de13',
    });
  });

  it('passes a complete folder and says so; a folder without one is not checked', async () => {
    expect(await verifyManifest(await withManifest(folder()))).toBe(true);
    expect(await verifyManifest(folder())).toBe(false);
  });

  const refusals: [string, (files: Map<string, Uint8Array>) => void, RegExp][] = [
    ['a missing file', (f) => f.delete('config.json'), /config\.json: listed in manifest\.json but missing/],
    [
      'a file cut short',
      (f) => f.set('model.safetensors', f.get('model.safetensors')!.subarray(0, 10)),
      /model\.safetensors: 10 bytes, manifest\.json says 16: the file was cut short or replaced/,
    ],
    [
      'a file from another checkpoint',
      (f) => f.set('model.safetensors', bytes('weights of run B')),
      /model\.safetensors: its SHA-256 differs from manifest\.json/,
    ],
    ['a damaged manifest', (f) => f.set(MANIFEST_FILE, bytes('{"format": 1')), /manifest\.json: not valid JSON/],
  ];
  for (const [what, damage, message] of refusals) {
    it(`refuses ${what}, naming the file`, async () => {
      const files = await withManifest(folder());
      damage(files);
      const refused = verifyManifest(files);
      await expect(refused).rejects.toThrow(CheckpointError);
      await expect(refused).rejects.toThrow(message);
    });
  }
});
