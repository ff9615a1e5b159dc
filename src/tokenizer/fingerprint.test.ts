// The tokenizer digest is the one Python computes from training_state.json (scale/tests/test_token_file.py holds
// the same golden value): canonical JSON escapes exactly as json.dumps(sort_keys, ensure_ascii) does.
import { describe, expect, it } from 'vitest';
import { CharTokenizer } from './char.ts';
import { canonicalJson, tokenizerSha256 } from './fingerprint.ts';
import type { TokenizerJson } from './types.ts';

// Quotes, backslash, control characters, DEL, Latin-1, the BMP, an astral character and a lone surrogate.
const ODD = {
  kind: 'char',
  version: 1,
  chars: ['a', '"', '\\', '\n', '\u0001', '\u007f', 'é', '€', '😀', '\ud800', ' '],
  specialTokens: ['<unk>'],
} as TokenizerJson;

describe('tokenizer fingerprint', () => {
  it('writes canonical JSON as Python does', () => {
    expect(canonicalJson(ODD)).toBe(
      '{"chars":["a","\\"","\\\\","\\n","\\u0001","\\u007f","\\u00e9","\\u20ac","\\ud83d\\ude00","\\ud800"," "],' +
        '"kind":"char","specialTokens":["<unk>"],"version":1}',
    );
  });

  it('gives the digest Python gives', async () => {
    expect(await tokenizerSha256(ODD)).toBe('c38259414256e0c8a7731e237740e9e07e0b40f6e19976af78226d093179305a');
  });

  it('ignores key order and tells tokenizers apart', async () => {
    const json = CharTokenizer.fromCorpus('hello world').toJSON();
    const reordered = Object.fromEntries(Object.entries(json).reverse()) as TokenizerJson;
    expect(await tokenizerSha256(reordered)).toBe(await tokenizerSha256(json));
    const other = CharTokenizer.fromCorpus('hello world!').toJSON();
    expect(await tokenizerSha256(other)).not.toBe(await tokenizerSha256(json));
  });
});
