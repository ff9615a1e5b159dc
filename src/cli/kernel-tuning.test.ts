// The CLI's tuning file: where it lives, how it round-trips, what a damaged one says, and that a command's
// device tunes its programs through it (and does not with --no-tune).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { matmul } from '../ops/matmul.ts';
import { Graph } from '../runtime/graph.ts';
import { Program, setGraphTuner } from '../runtime/program.ts';
import { defaultTuningFile, fileTuningStore, installTuner } from './kernel-tuning.ts';

const folder = mkdtempSync(join(tmpdir(), 'gpt1-lab-tuning-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('defaultTuningFile', () => {
  it('prefers GPT1_LAB_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultTuningFile({ GPT1_LAB_CACHE: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c/matmul-tuning.json');
    expect(defaultTuningFile({ XDG_CACHE_HOME: '/x' })).toBe('/x/gpt1-lab/matmul-tuning.json');
    expect(defaultTuningFile({})).toMatch(/\/\.cache\/gpt1-lab\/matmul-tuning\.json$/);
  });
});

describe('fileTuningStore', () => {
  it('reads a missing file as empty and round-trips decisions through new folders', async () => {
    const path = join(folder, 'a', 'b', 'matmul-tuning.json');
    const store = fileTuningStore(path);
    expect(await store.load()).toEqual({});
    await store.save({ 'gpu|v1|64x64x64': 'vec4' });
    expect(await store.load()).toEqual({ 'gpu|v1|64x64x64': 'vec4' });
    expect(readdirSync(join(folder, 'a', 'b'))).toEqual(['matmul-tuning.json']); // no partial file left
  });

  it('warns, and leaves nothing behind, when the cache cannot be written', async () => {
    const path = join(folder, 'taken');
    mkdirSync(path, { recursive: true }); // a folder where the file should go: the rename fails
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      await expect(fileTuningStore(path).save({ k: 'vec4' })).resolves.toBeUndefined();
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join('')).toMatch(/warning: the matmul tuning cache .*taken cannot be written \(EISDIR\)/);
    expect(readdirSync(folder).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('names the file and the problem when it is damaged', async () => {
    const cases: [string, RegExp][] = [
      ['{"a": "vec4"', /is not valid JSON \(.+\)$/],
      ['["vec4"]', /should hold an object of kernel names by shape, but holds an array$/],
      ['{"a": 3}', /the entry "a" should be a kernel name, but is 3$/],
    ];
    for (const [i, [text, problem]] of cases.entries()) {
      const path = join(folder, `bad-${i}.json`);
      writeFileSync(path, text);
      const error = await fileTuningStore(path)
        .load()
        .catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(problem);
    }
  });
});

describe('installTuner', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  async function compileOneMatmul() {
    const g = new Graph();
    matmul(g, g.input('x', [40, 24]), g.input('w', [24, 72]));
    (await Program.compile(ctx, g, { label: 'cli-tuning-test' })).destroy();
  }

  it('tunes the command device through the file, and not at all with --no-tune', async () => {
    const path = join(folder, 'cli', 'matmul-tuning.json');
    try {
      expect(installTuner(ctx, { 'no-tune': true, 'tuning-file': path })).toBeUndefined();
      await compileOneMatmul();
      expect(() => readFileSync(path)).toThrow(/ENOENT/);

      const tuner = installTuner(ctx, { 'tuning-file': path });
      await compileOneMatmul();
      expect(tuner?.decisions.size).toBe(1);
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
      const [key, variant] = Object.entries(saved)[0]!;
      expect(key).toContain(ctx.adapter.name);
      expect(key).toContain('40x24x72');
      expect(variant).toBe(tuner!.decisions.values().next().value!.variant);
    } finally {
      setGraphTuner(ctx, undefined);
    }
  });
});
