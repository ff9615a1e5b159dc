// The whole model, through the pre-training and multiple-choice fine-tuning step graphs, against Hugging Face
// transformers' golden values (../shared/fixtures/hf-tiny), on the GPU tier in Node (Dawn). Every check must be
// within PARITY_TOLERANCE (reasoned in parity.ts).
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { type ParityReport, runParity } from './parity.ts';
import { readFixtureFolder } from './parity-node.ts';

describe('parity with Hugging Face OpenAIGPT (hf-tiny fixture)', () => {
  let ctx: GpuContext;
  let report: ParityReport;
  beforeAll(async () => {
    ctx = await openTestGpu();
    report = await runParity(ctx, await readFixtureFolder(resolve('../shared/fixtures/hf-tiny')));
  });
  afterAll(() => ctx.destroy());

  it('checks every output the fixture has', () => {
    const names = report.checks.map((c) => c.name);
    for (const name of [
      'lm.logits',
      'lm.hidden_states.2',
      'lm.attentions.1',
      'lm.loss',
      'mc.mc_logits',
      'mc.total_loss',
    ]) {
      expect(names).toContain(name);
    }
    // Every parameter's gradient, twice (LM and MC), and every parameter after AdamW.
    expect(names.filter((n) => n.startsWith('lm.grad.')).length).toBe(2 + 12 * 2);
    expect(names.filter((n) => n.startsWith('mc.grad.')).length).toBe(2 + 12 * 2 + 2);
    expect(names.filter((n) => n.startsWith('adamw3.')).length).toBe(1 + 2 + 12 * 2);
  });

  it('matches within tolerance everywhere', () => {
    const failed = report.checks.filter((c) => !c.pass);
    const worst = [...report.checks].sort((a, b) => b.maxRel - a.maxRel).slice(0, 5);
    console.log('worst parity checks:', worst.map((c) => `${c.name} ${c.maxRel.toExponential(2)}`).join(', '));
    expect(failed.map((c) => `${c.name}: max rel ${c.maxRel}`)).toEqual([]);
    expect(report.pass).toBe(true);
  });
});
