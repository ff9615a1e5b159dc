// `encode` (no GPU): the ids are the tokenizer's, split as pretrain splits the corpus, or with a separate
// validation file; each bad input is refused with one line naming its file, and nothing is written.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitTrainVal } from '../../data/lm-batches.ts';
import { readTokenFile } from '../../data/token-file.ts';
import { PRESETS } from '../../model/config.ts';
import { initParams } from '../../model/weights.ts';
import { CharTokenizer } from '../../tokenizer/char.ts';
import { tokenizerSha256 } from '../../tokenizer/fingerprint.ts';
import { writeCheckpoint } from '../../train/checkpoint.ts';
import { pretrainSchedule } from '../../train/schedule.ts';
import { encodeCommand } from './encode.ts';

const text = 'the quick brown fox jumps over the lazy dog. '.repeat(40);
const tokenizer = CharTokenizer.fromCorpus(text);
const T = 16;

describe('encode', () => {
  let dir: string;
  let ckpt: string;
  let corpus: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'encode-'));
    ckpt = join(dir, 'run');
    const config = { ...PRESETS.tiny, vocabSize: tokenizer.vocabSize, nPositions: T, nLayer: 1 };
    const state = {
      format: 'gpt1-lab-checkpoint' as const,
      version: 1,
      kind: 'pretrain' as const,
      step: 3,
      tokens: 3 * 4 * T,
      seed: 1,
      dataCursor: 12,
      B: 4,
      T,
      schedule: pretrainSchedule(1e-3, 10),
      weightDecay: 0.01,
      maxGradNorm: 1,
      tokenizer: tokenizer.toJSON(),
      notes: {},
    };
    mkdirSync(ckpt, { recursive: true });
    for (const [name, data] of writeCheckpoint({ config, heads: {}, params: initParams(config, 1), state })) {
      writeFileSync(join(ckpt, name), data);
    }
    corpus = join(dir, 'corpus.txt');
    writeFileSync(corpus, text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the run's ids, split as pretrain splits them", async () => {
    const out = join(dir, 'tokens.bin');
    const result = (await encodeCommand(['--corpus', corpus, '--ckpt', ckpt, '--out', out])) as { idBytes: number };
    const file = readTokenFile(readFileSync(out), out);
    const split = splitTrainVal(Uint32Array.from(tokenizer.encode(text)), T);
    expect([...file.train]).toEqual([...split.train]);
    expect([...file.val]).toEqual([...split.val]);
    expect(file.header.tokenizer_sha256).toBe(await tokenizerSha256(tokenizer.toJSON()));
    expect(file.header.vocab_size).toBe(tokenizer.vocabSize);
    expect(result.idBytes).toBe(2);
  });

  it('takes the validation ids from --val', async () => {
    const val = join(dir, 'val.txt');
    writeFileSync(val, 'a lazy dog jumps over the quick brown fox. '.repeat(2));
    const out = join(dir, 'tokens-val.bin');
    await encodeCommand(['--corpus', corpus, '--ckpt', ckpt, '--out', out, '--val', val]);
    const file = readTokenFile(readFileSync(out), out);
    expect(file.train.length).toBe(text.length);
    expect([...file.val]).toEqual(tokenizer.encode(readFileSync(val, 'utf8')));
    expect(file.header.validation).toBe('val.txt');
  });

  it('refuses bad input with one line naming the file, writing nothing', async () => {
    const binary = join(dir, 'binary.txt');
    writeFileSync(binary, new Uint8Array([104, 105, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    const short = join(dir, 'short.txt');
    writeFileSync(short, 'the dog sleeps..'); // 16 characters: a corpus, but not one window of 16 + 1
    const cases: [string[], string, RegExp][] = [
      [['--corpus', binary, '--ckpt', ckpt], binary, /looks binary/],
      [['--corpus', join(dir, 'absent.txt'), '--ckpt', ckpt], join(dir, 'absent.txt'), /cannot read \(ENOENT\)/],
      [['--corpus', corpus, '--ckpt', dir], join(dir, 'training_state.json'), /cannot read/],
      [
        ['--corpus', corpus, '--ckpt', ckpt, '--val', short],
        short,
        /16 validation tokens cannot fill one window of 16\+1/,
      ],
    ];
    for (const [args, file, message] of cases) {
      const out = join(dir, 'refused.bin');
      const refused = encodeCommand([...args, '--out', out]);
      await expect(refused).rejects.toThrow(message);
      await expect(refused).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      await refused.catch((error: Error) => expect(error.message).not.toContain('\n'));
      expect(existsSync(out)).toBe(false);
    }
  });
});
