// `pretrain --probes`: zero-shot probe rounds at the start, every N steps and at the end, in the JSON; bad probe
// files refused before any GPU work, naming the file and line (GPU tier for the run: Dawn/SwiftShader).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProbePoint } from '../../train/probes/zero-shot.ts';
import { UsageError } from '../args.ts';
import { pretrainCommand } from './pretrain.ts';

const root = mkdtempSync(join(tmpdir(), 'gpt1-lab-cli-probes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const corpus = '../shared/data/pretrain/tinyshakespeare.txt';

describe('pretrain --probes', () => {
  it('adds the probe series to the JSON', async () => {
    const wino = join(root, 'w.jsonl');
    writeFileSync(
      wino,
      '{"sentence": "ROMEO saw JULIET, so _ spoke.", "candidates": ["ROMEO", "JULIET"], "answer": 1}\n' +
        '{"sentence": "The king and the fool: _ laughed.", "candidates": ["the king", "the fool"], "answer": 1}\n',
    );
    const result = (await pretrainCommand([
      ...['--corpus', corpus, '--steps', '4', '--batch', '2', '--eval-every', '0', '--no-tune'],
      ...['--probes', wino, '--probe-every', '2'],
    ])) as { probes: ProbePoint[] };
    expect(result.probes.map((p) => p.step)).toEqual([0, 2, 4]);
    for (const round of result.probes) {
      expect(round.results).toEqual([
        expect.objectContaining({ kind: 'winograd', name: 'w.jsonl', metric: 'accuracy', chance: 0.5, items: 2 }),
      ]);
    }
  });

  it('refuses a bad probe file, or --probe-every without sets, before any GPU work', async () => {
    const bad = join(root, 'bad.jsonl');
    writeFileSync(bad, '{"sentence": "no blank", "candidates": ["a", "b"], "answer": 0}\n');
    const refused = pretrainCommand(['--corpus', corpus, '--probes', bad]);
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(/--probes .*bad\.jsonl: bad\.jsonl, line 1: .*needs exactly one '_'/);
    await expect(pretrainCommand(['--corpus', corpus, '--probe-every', '5'])).rejects.toThrow(
      /--probe-every needs --probes/,
    );
  });
});
