// The split-K rule is a function of the shape alone (so every device makes the same choice and computes
// the same bits): GPT-1's weight gradients at 8 x 512 get 8, 4, 2 and 2 slices; short or odd K is not split.
import { describe, expect, it } from 'vitest';
import { SPLIT_K_MIN_K, splitKSlices } from './matmul-splitk.ts';

describe('splitKSlices', () => {
  it("splits GPT-1's weight gradients at batch 8 x 512 (K = 4096)", () => {
    const K = 8 * 512;
    expect(splitKSlices(768, 768, K)).toBe(8); // attn c_proj
    expect(splitKSlices(768, 2304, K)).toBe(4); // c_attn
    expect(splitKSlices(768, 3072, K)).toBe(2); // c_fc
    expect(splitKSlices(3072, 768, K)).toBe(2); // mlp c_proj
  });

  it('leaves short, odd and already wide products alone, and keeps slices at least 256 long', () => {
    expect(splitKSlices(768, 768, SPLIT_K_MIN_K - 1)).toBe(1);
    expect(splitKSlices(64, 64, 4095)).toBe(1);
    expect(splitKSlices(40478, 768, 4096)).toBe(1); // the LM head's dwte: 31M outputs already
    expect(splitKSlices(8, 8, 2048)).toBe(8); // tiny M x N: as many slices as 256-long slices allow
    expect(splitKSlices(8, 8, 1 << 20)).toBe(16);
  });
});
