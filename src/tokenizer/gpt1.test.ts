// GPT-1 tokenizer vs the reference tokenization of 94 texts (tokens and ids), the out-of-vocabulary
// rule, fine-tuning special tokens, decoding, serialization and both file layouts.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GPT1_FINETUNE_TOKENS, Gpt1Tokenizer } from './gpt1.ts';
import { gpt1TokenizerFromFiles, parseGpt1Merges, parseGpt1Vocab } from './gpt1-files.ts';
import { loadGpt1TokenizerFromDir } from './gpt1-node.ts';

const DATA_DIR = path.resolve('../shared/data/gpt1-tokenizer');
const FIXTURE = path.resolve('../shared/fixtures/gpt1-tokenizer/reference.jsonl');

interface Row {
  text: string;
  tokens: string[];
  ids: (number | null)[];
}

const rows: Row[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line) as Row & { _meta?: unknown })
  .filter((row) => row._meta === undefined);

const tokenizer = loadGpt1TokenizerFromDir(DATA_DIR);

describe('GPT-1 tokenizer vs the reference', () => {
  it('reads the 40,478-token vocabulary and 40,000 merges', () => {
    expect(rows).toHaveLength(94);
    expect(tokenizer.vocabSize).toBe(40478);
    expect(tokenizer.baseVocabSize).toBe(40478);
    expect(tokenizer.mergeCount).toBe(40000);
    expect(tokenizer.unkId).toBe(0);
  });

  it('matches tokens and ids of every fixture text exactly', () => {
    const mismatches: string[] = [];
    for (const row of rows) {
      const got = tokenizer.encodeDetailed(row.text);
      if (
        JSON.stringify(got.tokens) !== JSON.stringify(row.tokens) ||
        JSON.stringify(got.ids) !== JSON.stringify(row.ids)
      ) {
        mismatches.push(`${JSON.stringify(row.text)}: ${JSON.stringify(got.tokens)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('encode maps out-of-vocabulary tokens to <unk> (id 0) and keeps all other ids', () => {
    let oov = 0;
    for (const row of rows) {
      expect(tokenizer.encode(row.text)).toEqual(row.ids.map((id) => id ?? 0));
      oov += row.ids.filter((id) => id === null).length;
    }
    expect(oov).toBe(10);
    expect(tokenizer.encodeDetailed('emoji 🙂 test').tokens).toEqual(['emo', 'ji</w>', '🙂</w>', 'test</w>']);
    expect(tokenizer.encode('emoji 🙂 test')).toEqual([2241, 8117, 0, 2345]);
    expect(tokenizer.encode('a🙂b')).toEqual([tokenizer.tokenToId('a'), 0, tokenizer.tokenToId('b</w>')]);
  });

  it('drops out-of-vocabulary tokens when the vocabulary has no <unk>', () => {
    const small = new Gpt1Tokenizer(['a', 'b', 'a</w>', 'b</w>', 'ab</w>'], ['a b</w>']);
    expect(small.unkId).toBeUndefined();
    expect(small.encodeDetailed('ab x ab').ids).toEqual([4, null, 4]);
    expect(small.encode('ab x ab')).toEqual([4, 4]);
    expect(small.encode('a🙂b')).toEqual([0, 3]);
  });

  it('handles the BERT clean-up rules: accents, control characters, CJK, punctuation, whitespace', () => {
    expect(tokenizer.tokenize('naïve café')).toEqual(tokenizer.tokenize('naive cafe'));
    expect(tokenizer.tokenize('HeLLo\u0000\u200d\ufffd wor\u0007ld')).toEqual(tokenizer.tokenize('hello world'));
    expect(tokenizer.tokenize('a\u00a0b\u3000c\td\ne\rf')).toEqual(tokenizer.tokenize('a b c d e f'));
    expect(tokenizer.tokenize('x中y')).toEqual(['x</w>', '中</w>', 'y</w>']);
    expect(tokenizer.tokenize('a$b+c<d=e>f^g`h|i~j')).toHaveLength(19);
    expect(tokenizer.tokenize('don\u2019t')).toEqual(['don</w>', '’</w>', 't</w>']);
    expect(tokenizer.encode('')).toEqual([]);
    expect(tokenizer.encode(' \n\t ')).toEqual([]);
  });

  it('decodes by joining pieces, </w> -> space, trimmed', () => {
    const text = 'first citizen : before we proceed any further , hear me speak .';
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.decode(tokenizer.encode('Hello, World!'))).toBe('hello , world !');
    expect(tokenizer.decode(tokenizer.encode('emoji 🙂 test'))).toBe('emoji <unk> test');
    expect(() => tokenizer.decode([40478])).toThrow(RangeError);
    expect(() => tokenizer.decode([-1])).toThrow(RangeError);
  });

  it('splits a long word (heap merger) into pieces that spell it', () => {
    const word = 'pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(4);
    const tokens = tokenizer.tokenize(word);
    expect(tokens.join('')).toBe(`${word}</w>`);
    expect(tokens.length).toBeLessThan(word.length / 2);
  });
});

describe('GPT-1 special tokens', () => {
  it('appends _start_, _delimiter_, _classify_ as 40478..40480', () => {
    const t = loadGpt1TokenizerFromDir(DATA_DIR);
    expect(t.addSpecialTokens([...GPT1_FINETUNE_TOKENS])).toEqual([40478, 40479, 40480]);
    expect(t.vocabSize).toBe(40481);
    expect(t.addSpecialTokens(['_classify_'])).toEqual([40480]);
    expect(t.tokenToId('_delimiter_')).toBe(40479);
    expect(t.idToToken(40478)).toBe('_start_');
    const ids = t.encode('_start_Hello world_delimiter_yes_classify_');
    expect(ids[0]).toBe(40478);
    expect(ids.at(-1)).toBe(40480);
    expect(t.decode(ids)).toBe('_start_ hello world _delimiter_ yes _classify_');
    expect(() => t.addSpecialTokens(['the</w>'])).toThrow(/already in the base vocabulary/);
  });
});

describe('GPT-1 serialization and file layouts', () => {
  it('round-trips through toJSON / fromJSON, special tokens included', () => {
    const t = loadGpt1TokenizerFromDir(DATA_DIR);
    t.addSpecialTokens([...GPT1_FINETUNE_TOKENS]);
    const copy = Gpt1Tokenizer.fromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    expect(copy.vocabSize).toBe(40481);
    for (const row of rows.slice(0, 20)) expect(copy.encode(row.text)).toEqual(t.encode(row.text));
    expect(copy.encode('_start_')).toEqual([40478]);
  });

  it('loads the Hugging Face layout (vocab.json + merges.txt + added_tokens.json) to the same tokenizer', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gpt1-hf-'));
    try {
      copyFileSync(path.join(DATA_DIR, 'encoder_bpe_40000.json'), path.join(dir, 'vocab.json'));
      copyFileSync(path.join(DATA_DIR, 'vocab_40000.bpe'), path.join(dir, 'merges.txt'));
      writeFileSync(
        path.join(dir, 'added_tokens.json'),
        JSON.stringify({ _classify_: 40480, _start_: 40478, _delimiter_: 40479 }),
      );
      const hf = loadGpt1TokenizerFromDir(dir);
      expect(hf.specialTokens).toEqual(['_start_', '_delimiter_', '_classify_']);
      for (const row of rows) expect(hf.encode(row.text)).toEqual(tokenizer.encode(row.text));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports vocab.json and merges.txt that load back identically', () => {
    const files = new Map([
      ['vocab.json', tokenizer.toHfVocabJson()],
      ['merges.txt', tokenizer.toHfMergesTxt()],
    ]);
    expect(files.get('merges.txt')).toBe(readFileSync(path.join(DATA_DIR, 'vocab_40000.bpe'), 'utf8'));
    const back = gpt1TokenizerFromFiles(files);
    expect(back.toJSON()).toEqual(tokenizer.toJSON());
  });

  it('reports bad files with the file name and the place', () => {
    expect(() => parseGpt1Vocab('{"a": 0, "b": 0}')).toThrow(/vocab.json: id 0 is used by "a" and "b"/);
    expect(() => parseGpt1Vocab('{"a": 0, "b": 5}')).toThrow(/ids must be 0..1/);
    expect(() => parseGpt1Vocab('[1]')).toThrow(/expected a JSON object/);
    expect(() => parseGpt1Vocab('{')).toThrow(/not valid JSON/);
    expect(() => parseGpt1Merges('#version: 0.2\na b\nab\n')).toThrow(/merges.txt line 3/);
    expect(parseGpt1Merges('#version: 0.2\r\na b\r\n')).toEqual(['a b']);
    expect(() => new Gpt1Tokenizer(['a', 'b'], ['a b'])).toThrow(/merge 1 \("a b"\)/);
    expect(() => gpt1TokenizerFromFiles(new Map([['vocab.json', '{}']]))).toThrow(/needs encoder_bpe_40000.json/);
  });
});
