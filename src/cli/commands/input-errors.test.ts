// Bad files given to the CLI: each refused in one line that names the file and what is wrong, before any GPU
// work (no device is opened by these tests): a folder or a missing file as an input, a corpus beyond what
// can be read, a task file that is not UTF-8, a header that needs a column mapping (and the mapping options
// that read it), a bad added_tokens.json, a cut-short parity reference, a checkpoint with a NaN weight or a
// tokenizer of another size.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../../model/config.ts';
import { initParams } from '../../model/weights.ts';
import { CharTokenizer } from '../../tokenizer/char.ts';
import { writeCheckpoint } from '../../train/checkpoint.ts';
import { pretrainSchedule } from '../../train/schedule.ts';
import { UsageError } from '../args.ts';
import { finetuneSettingsOf, loadPretrained } from '../finetune-options.ts';
import { generateCommand } from './generate.ts';
import { parityCommand } from './parity.ts';
import { pretrainCommand } from './pretrain.ts';

const root = mkdtempSync(join(tmpdir(), 'gpt1-lab-cli-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const file = (name: string, data: string | Uint8Array) => {
  const path = join(root, name);
  writeFileSync(path, data);
  return path;
};

/** A small pre-training checkpoint of our own, written as files (optionally changed first). */
function checkpointFolder(name: string, change: (ckpt: Parameters<typeof writeCheckpoint>[0]) => void = () => {}) {
  const tokenizer = CharTokenizer.fromCorpus('abc def');
  const config = {
    ...PRESETS.tiny,
    vocabSize: tokenizer.vocabSize,
    nLayer: 1,
    nEmbd: 8,
    nHead: 2,
    nInner: 32,
    nPositions: 8,
  };
  const ckpt = {
    config,
    heads: {},
    params: initParams(config, 1),
    state: {
      format: 'gpt1-lab-checkpoint' as const,
      version: 1,
      kind: 'pretrain' as const,
      step: 1,
      tokens: 8,
      seed: 1,
      dataCursor: 1,
      B: 1,
      T: 8,
      schedule: pretrainSchedule(1e-3, 2),
      weightDecay: 0.01,
      maxGradNorm: 1,
      tokenizer: tokenizer.toJSON(),
      notes: {},
    },
  };
  change(ckpt);
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [f, data] of writeCheckpoint(ckpt)) writeFileSync(join(dir, f), data);
  return dir;
}

describe('CLI input errors', () => {
  it('a folder, a missing file, or a file too big to read as --corpus', async () => {
    const folder = join(root, 'corpus-folder');
    mkdirSync(folder);
    await expect(pretrainCommand(['--corpus', folder])).rejects.toThrow(
      /^--corpus .*corpus-folder is a folder, not a file$/,
    );
    await expect(pretrainCommand(['--corpus', join(root, 'nope.txt')])).rejects.toThrow(
      /--corpus .*nope\.txt does not exist/,
    );
    const huge = file('huge.txt', '');
    truncateSync(huge, 3 * 2 ** 30); // sparse: 3 GiB on paper, nothing on disk
    const refused = pretrainCommand(['--corpus', huge]);
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(/--corpus .*huge\.txt is 3\.0 GiB; at most 2 GiB can be read/);
  });

  it('task files: strict UTF-8 with the byte, a folder, and columns that need the mapping options', () => {
    const dev = file('dev.tsv', 'sentence\tlabel\nfine\t1\nbad\t0\n');
    const latin1 = file(
      'latin1.tsv',
      new Uint8Array([...new TextEncoder().encode('sentence\tlabel\ncaf'), 0xe9, 0x09, 0x31, 0x0a]),
    );
    const base = { task: 'classification', dev };
    expect(() => finetuneSettingsOf({ ...base, train: latin1 })).toThrow(
      /--train .*latin1\.tsv: latin1\.tsv, line 2: is not valid UTF-8 at byte 18/,
    );
    expect(() => finetuneSettingsOf({ ...base, train: root })).toThrow(/--train .* is a folder, not a file/);
    const custom = file('custom.tsv', 'review\tstars\ngood film\tpos\nbad film\tneg\n');
    const customDev = file('custom-dev.tsv', 'review\tstars\nok film\tpos\n');
    expect(() => finetuneSettingsOf({ task: 'classification', train: custom, dev: customDev })).toThrow(
      /unrecognised columns \(review, stars\).*pass --text-column .* and --label-column/,
    );
    const mapped = finetuneSettingsOf({
      task: 'classification',
      train: custom,
      dev: customDev,
      'text-column': 'review',
      'label-column': 'stars',
    });
    expect(mapped.train.examples.map((e) => (e.kind === 'text' ? e.text : ''))).toEqual(['good film', 'bad film']);
    expect(() =>
      finetuneSettingsOf({ task: 'classification', train: custom, dev: customDev, 'text-column': 'review' }),
    ).toThrow(/needs --label-column/);
  });

  it('a bad added_tokens.json names the file', async () => {
    const dir = join(root, 'hf-bad-added');
    cpSync('../shared/fixtures/hf-tiny/base', dir, { recursive: true });
    cpSync('../shared/data/gpt1-tokenizer', join(root, 'gpt1-tok'), { recursive: true });
    writeFileSync(join(root, 'gpt1-tok', 'added_tokens.json'), '{"_start_": "x"}');
    await expect(loadPretrained(dir, `gpt1:${join(root, 'gpt1-tok')}`)).rejects.toThrow(
      /gpt1-tok: added_tokens\.json must map each token to its id/,
    );
    writeFileSync(join(root, 'gpt1-tok', 'added_tokens.json'), '{"_start_": 40');
    await expect(loadPretrained(dir, `gpt1:${join(root, 'gpt1-tok')}`)).rejects.toThrow(
      /gpt1-tok: added_tokens\.json is not valid JSON/,
    );
  });

  it('a parity folder with a missing part or a cut-short reference.json', async () => {
    const dir = join(root, 'fixture');
    cpSync('../shared/fixtures/hf-tiny', dir, { recursive: true });
    const json = readFileSync(join(dir, 'reference.json'), 'utf8');
    writeFileSync(join(dir, 'reference.json'), json.slice(0, json.length / 2));
    await expect(parityCommand(['--hf', dir])).rejects.toThrow(
      /fixture\/reference\.json is not valid JSON .*cut short/,
    );
    rmSync(join(dir, 'double-heads'), { recursive: true });
    await expect(parityCommand(['--hf', dir])).rejects.toThrow(/--hf .*fixture lacks double-heads/);
  });

  it('a checkpoint with a NaN weight, or whose tokenizer has another size, is refused naming the file', async () => {
    const nan = checkpointFolder('nan-weight', (c) => {
      c.params.get('wte')![5] = Number.NaN;
    });
    await expect(generateCommand(['--ckpt', nan, '--prompt', 'a'])).rejects.toThrow(
      /nan-weight\/model\.safetensors: weight '.*tokens_embed\.weight' holds NaN at index 5/,
    );
    const other = checkpointFolder('other-tokenizer', (c) => {
      c.state.tokenizer = CharTokenizer.fromCorpus('abcdefghij').toJSON();
    });
    await expect(generateCommand(['--ckpt', other, '--prompt', 'a'])).rejects.toThrow(
      /other-tokenizer\/training_state\.json: its tokenizer has \d+ tokens but config\.json's model has \d+ token embeddings/,
    );
  });
});
