// The matmul tuner's OPFS store in Chromium: a round trip through the real file, a missing file, and files
// that are not an object of kernel names, each refused with the file's name and what is wrong with it.
import { afterAll, describe, expect, it } from 'vitest';
import { opfsTuningStore } from './opfs-tuning-store.ts';

const FOLDER = `gpt1-lab-tuning-test-${Date.now()}`;
const FILE = 'matmul.json';

async function writeRaw(text: string): Promise<void> {
  const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(FOLDER, { create: true });
  const writable = await (await folder.getFileHandle(FILE, { create: true })).createWritable();
  await writable.write(text);
  await writable.close();
}

async function readRaw(): Promise<string> {
  const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(FOLDER);
  return (await (await folder.getFileHandle(FILE)).getFile()).text();
}

describe('OPFS tuning store', () => {
  afterAll(async () => {
    await (await navigator.storage.getDirectory()).removeEntry(FOLDER, { recursive: true });
  });

  it('loads {} before the first save, then what was saved, and a save replaces the whole file', async () => {
    const store = (await opfsTuningStore(FOLDER, FILE))!;
    expect(await store.load()).toEqual({});
    const entries = { 'SwiftShader|0badf00d|64x32x96 bias': 'tiled', 'SwiftShader|0badf00d|8x8x8': 'naive' };
    await store.save(entries);
    expect(await store.load()).toEqual(entries);
    // A second store over the same file (a reload) reads it back.
    expect(await (await opfsTuningStore(FOLDER, FILE))!.load()).toEqual(entries);
    await store.save({ only: 'reg64' });
    expect(await store.load()).toEqual({ only: 'reg64' });
    expect(JSON.parse(await readRaw())).toEqual({ only: 'reg64' });
  });

  it('refuses a corrupt file, naming it and what is wrong; the next save overwrites it', async () => {
    const store = (await opfsTuningStore(FOLDER, FILE))!;
    const named = `browser storage \\(OPFS\\) ${FOLDER}/${FILE}`;
    await writeRaw('{"a": "tiled",');
    await expect(store.load()).rejects.toThrow(new RegExp(`^${named} is not valid JSON \\(.+\\)$`));
    await writeRaw('["tiled"]');
    await expect(store.load()).rejects.toThrow(new RegExp(`^${named} should hold an object .* but holds an array$`));
    await writeRaw('null');
    await expect(store.load()).rejects.toThrow(/but holds null$/);
    await writeRaw('7');
    await expect(store.load()).rejects.toThrow(/but holds a number$/);
    await writeRaw('{"a": "tiled", "b": 3}');
    await expect(store.load()).rejects.toThrow(
      new RegExp(`^${named}: the entry "b" should be a kernel name, but is 3$`),
    );
    await store.save({ a: 'tiled' });
    expect(await store.load()).toEqual({ a: 'tiled' });
  });
});
