// Where the peer suite finds @genai-fi/nanogpt: an explicit --peer-dir wins and is the only place looked
// at, so a wrong folder is reported rather than silently replaced by bench/peer's install.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPeerPackage } from './browser-driver.ts';

describe('findPeerPackage with a folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpt1-lab-peer-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeManifest = (manifest: object) => writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));

  it('takes the entry from exports["."], else main', () => {
    writeManifest({
      name: '@genai-fi/nanogpt',
      version: '1.3.0',
      main: 'lib/x.js',
      exports: { '.': './dist/main.js' },
    });
    expect(findPeerPackage(dir)).toEqual({ entry: join(dir, 'dist', 'main.js'), version: '1.3.0', dir });
    writeManifest({ name: '@genai-fi/nanogpt', version: '1.2.0', main: 'lib/x.js' });
    expect(findPeerPackage(dir)?.entry).toBe(join(dir, 'lib', 'x.js'));
  });

  it('rejects another package', () => {
    writeManifest({ name: 'nanogpt', version: '1.0.0' });
    expect(() => findPeerPackage(dir)).toThrow(/is nanogpt, not @genai-fi\/nanogpt/);
  });

  it('finds nothing in a folder without a package.json, even when bench/peer has one', () => {
    mkdirSync(join(dir, 'dist'));
    expect(findPeerPackage(dir)).toBeUndefined();
  });
});
