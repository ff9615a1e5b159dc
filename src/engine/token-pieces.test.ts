// Token pieces, prompts, streamed text deltas, and the plan check (CPU only).
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../model/config.ts';
import { ByteBpeTokenizer } from '../tokenizer/bpe.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { planSummary } from './plan-summary.ts';
import { pieceText, promptIds, TextStream } from './token-pieces.ts';

describe('token pieces and streaming', () => {
  it('holds back a multi-byte character split across byte tokens', () => {
    const bpe = new ByteBpeTokenizer([]);
    const ids = bpe.encode('aé🙂'); // 1 + 2 + 4 bytes, one token each
    expect(ids).toHaveLength(7);
    const stream = new TextStream(bpe);
    const deltas = ids.map((id, i) => stream.push(id, i === ids.length - 1).delta);
    expect(deltas).toEqual(['a', '', 'é', '', '', '', '🙂']);
    expect(stream.text).toBe('aé🙂');
    expect(pieceText(bpe, ids[0]!)).toBe('a');
  });

  it('starts an empty prompt from a newline', () => {
    const char = CharTokenizer.fromCorpus('ab\n');
    expect(promptIds(char, '')).toEqual(char.encode('\n'));
    expect(promptIds(CharTokenizer.fromCorpus('ab'), '')).toEqual([2]); // '\n' is unknown: <unk>
    expect(promptIds(char, 'ba')).toEqual([2, 1]);
  });
});

describe('plan check', () => {
  it("plans GPT-1's size and finds it too big for the spec's default limits", () => {
    const gpt1 = planSummary(PRESETS.gpt1, 8, 512, {
      maxBufferSize: 256 * 2 ** 20,
      maxStorageBufferBindingSize: 128 * 2 ** 20,
    });
    expect(gpt1.summary.parameters).toBe(116_534_784);
    expect(gpt1.summary.totalBytes).toBeGreaterThan(4 * 116_534_784 * 4);
    expect(gpt1.needs?.maxBufferSize).toBeGreaterThan(256 * 2 ** 20); // it asks for more than the defaults
    expect(gpt1.summary.fits).toBe(false);
    expect(gpt1.summary.problem).toMatch(/maxBufferSize/);
  });
});
