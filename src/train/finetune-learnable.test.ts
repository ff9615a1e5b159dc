// Fine-tuning learns a task that is learnable by construction: a tiny model from scratch classifies whether
// a string contains the character 'x', reaching >= 95% dev accuracy (GPU tier: Dawn/SwiftShader).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { PRESETS } from '../model/config.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { parseTaskFiles, prepareFinetune } from './finetune-prepare.ts';
import { FinetuneRun } from './finetune-run.ts';

/** n strings of 3..8 letters from 'abcd', half with one 'x' at a random place; label 1 when 'x' is there. */
function containsXFile(n: number, seed: number): string {
  const next = rng(seed);
  const lines = ['sentence\tlabel'];
  for (let i = 0; i < n; i++) {
    const length = 3 + Math.floor(next() * 6);
    const chars = Array.from({ length }, () => 'abcd'[Math.floor(next() * 4)]!);
    const label = i % 2;
    if (label) chars[Math.floor(next() * length)] = 'x';
    lines.push(`${chars.join('')}\t${label}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('fine-tuning a task learnable by construction', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('classifies "contains x" with >= 95% dev accuracy from scratch', { timeout: 300_000 }, async () => {
    const { train, dev } = parseTaskFiles(
      'classification',
      { name: 'x-train.tsv', text: containsXFile(128, 1) },
      { name: 'x-dev.tsv', text: containsXFile(64, 2) },
    );
    const config = { ...PRESETS.tiny, nLayer: 1, nEmbd: 32, nHead: 2, nInner: 128, nPositions: 16 };
    const prepared = prepareFinetune({
      family: 'classification',
      train,
      dev,
      init: { kind: 'scratch', config, tokenizer: CharTokenizer.fromCorpus('abcdx') },
      auxLm: 0,
      epochs: 8,
      batch: 16,
      lr: 1e-2,
      seed: 3,
    });
    const { summary, loss } = await new FinetuneRun(ctx, prepared, { evaluate: 'end' }).run();
    console.log(
      `contains-x: dev accuracy ${summary.accuracy}, loss ${loss.first.toFixed(3)} -> ${loss.last.toFixed(3)}, ${summary.steps} steps`,
    );
    expect(summary.metric).toBe('accuracy');
    expect(summary.accuracy).toBeGreaterThanOrEqual(0.95);
  });
});
