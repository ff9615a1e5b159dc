// The task tabs' files through the engine, without a GPU: what a loaded file reports (format, label mapping,
// first example, a preview with start/delimiter/extract markers), friendly errors naming the file, byte, line
// or column for binary, non-UTF-8, unknown-label and unrecognised files, with nothing lost, column mapping
// (CSV too), a dev file re-checked against a new training file, and settings refused by field.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskFamily } from '../../data/tasks/task-types.ts';
import { type Gpt1Config, PRESETS } from '../../model/config.ts';
import { exportHfCheckpoint } from '../../model/hf-format.ts';
import { withManifest } from '../../model/manifest.ts';
import { initParams } from '../../model/weights.ts';
import { paperFinetuneSettings } from '../../train/settings/finetune-settings.ts';
import { Engine } from '../engine.ts';
import { recorder } from '../engine-test-kit.ts';
import { fileBytes as bytes, scratchPreview as scratch, slice } from './finetune-test-kit.ts';

const engines: Engine[] = [];

function engine() {
  const rec = recorder();
  const e = new Engine({
    emit: rec.emit,
    gpu: () => {
      throw new Error('no GPU in this test');
    },
  });
  engines.push(e);
  const load = (role: 'train' | 'dev', name: string, text: string | ArrayBuffer, extra: object = {}) =>
    e.handle({
      type: 'load-task-file',
      family: 'classification',
      role,
      name,
      bytes: typeof text === 'string' ? bytes(text) : text,
      preview: scratch,
      ...extra,
    });
  return { engine: e, rec, load };
}

const lastError = (rec: ReturnType<typeof recorder>) => rec.of('error').at(-1);

describe('task files in the engine', () => {
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.dispose();
  });

  it('reads SST-2: format, label mapping, first example and a preview with markers', async () => {
    const { rec, load } = engine();
    await load('train', 'train.tsv', slice('classification/sst2/train.tsv', 32));
    const summary = rec.of('task-file-loaded').at(-1)!.summary;
    expect(summary).toMatchObject({
      family: 'classification',
      role: 'train',
      name: 'train.tsv',
      format: 'glue-sst2',
      description: 'single sentences: sentence, label',
      columns: { text: 'sentence', label: 'label' },
      rows: 32,
      regression: false,
      example: { line: 2, fields: { text: 'hide new secretions from the parental units' }, label: '0' },
    });
    expect(summary.labels.map((l) => [l.name, l.id])).toEqual([
      ['0', 0],
      ['1', 1],
    ]);
    expect(summary.labels[0]!.count + summary.labels[1]!.count).toBe(32);

    const preview = rec.of('task-preview').at(-1)!.preview;
    expect(preview).toMatchObject({ family: 'classification', T: 64, line: 2 });
    expect(preview.tokenizer).toMatch(/characters of train\.tsv/);
    const tokens = preview.sequences[0]!.tokens;
    expect(tokens[0]!.kind).toBe('start');
    expect(tokens.at(-1)!.kind).toBe('extract');
    expect(tokens.slice(1, 5).map((t) => t.text)).toEqual(['h', 'i', 'd', 'e']);
    expect(preview.truncation).toMatch(/train\.tsv: \d+ of 32 examples were truncated to fit the 64-token context/);
  });

  it('refuses a binary file, naming the byte and line, and keeps the file it had', async () => {
    const { engine: e, rec, load } = engine();
    await load('train', 'train.tsv', slice('classification/sst2/train.tsv', 8));
    const loaded = rec.of('task-file-loaded').length;
    await load('train', 'weights.bin', Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x01).buffer);
    expect(lastError(rec)).toMatchObject({
      where: 'weights.bin',
      requestId: 'task:classification:train',
      message:
        'weights.bin, line 2: looks binary (a NUL byte at byte 5): task files are UTF-8 text (GLUE TSV, CSV or JSONL)',
    });
    await load('train', 'latin1.tsv', Uint8Array.of(0x73, 0x0a, 0x61, 0xe9, 0x0a).buffer);
    expect(lastError(rec)!.message).toMatch(/latin1\.tsv, line 2: is not valid UTF-8 at byte 3/);
    expect(rec.of('task-file-loaded')).toHaveLength(loaded);
    await e.handle({ type: 'preview-task', family: 'classification', preview: scratch });
    expect(rec.of('task-preview').at(-1)!.preview.tokenizer).toMatch(/train\.tsv/);
  });

  it('names the line of an unknown dev label, and re-checks the dev file against a new training file', async () => {
    const { rec, load } = engine();
    await load('train', 'train.tsv', 'sentence\tlabel\ngood\tpos\nbad\tneg\n');
    await load('dev', 'dev.tsv', 'sentence\tlabel\nfine\tpos\nso so\tneutral\n');
    expect(lastError(rec)).toMatchObject({
      where: 'dev.tsv',
      message: 'dev.tsv, line 3: label "neutral" is not one of the training labels ("neg", "pos")',
    });
    // A dev file loaded first, then a training file it does not fit: kept, with the problem.
    const next = engine();
    await next.load('dev', 'dev2.tsv', 'sentence\tlabel\nfine\tpos\nmeh\tmixed\n');
    expect(next.rec.of('task-file-loaded').at(-1)!.summary).toMatchObject({ role: 'dev', rows: 2 });
    await next.load('train', 'train2.tsv', 'sentence\tlabel\ngood\tpos\nbad\tneg\n');
    const dev = next.rec.of('task-file-loaded').at(-1)!.summary;
    expect(dev).toMatchObject({ role: 'dev', name: 'dev2.tsv' });
    expect(dev.problem).toMatch(/dev2\.tsv, line 3: label "mixed" is not one of the training labels/);
  });

  it('asks for a column mapping, then reads the file with it (TSV and CSV)', async () => {
    const { rec, load } = engine();
    await load('train', 'reviews.csv', 'id,review,stars\n1,"great, really",good\n2,awful,bad\n');
    expect(rec.of('task-file-needs-mapping').at(-1)).toMatchObject({
      role: 'train',
      name: 'reviews.csv',
      columns: ['id', 'review', 'stars'],
    });
    expect(rec.of('task-file-loaded')).toHaveLength(0);
    await load('train', 'reviews.csv', 'id,review,stars\n1,"great, really",good\n2,awful,bad\n', {
      mapping: { text: 'review', label: 'stars' },
    });
    const summary = rec.of('task-file-loaded').at(-1)!.summary;
    expect(summary).toMatchObject({ format: 'mapped-columns', rows: 2, mapping: { text: 'review', label: 'stars' } });
    expect(summary.example.fields.text).toBe('great, really');
    await load('dev', 'dev.tsv', 'id\treview\tstars\n1\tok\n', { mapping: { text: 'review', label: 'stars' } });
    expect(lastError(rec)!.message).toBe('dev.tsv, line 2: expected 3 tab-separated fields, found 2');
    await load('dev', 'dev.tsv', 'id\ttext\tstars\n1\tok\tgood\n', { mapping: { text: 'review', label: 'stars' } });
    expect(lastError(rec)!.message).toBe('dev.tsv, line 1: has no column "review" (columns: id, text, stars)');
  });

  it('refuses bad settings by field and a run without files or a pretrained model', async () => {
    const { engine: e, rec, load } = engine();
    const settings = paperFinetuneSettings('classification');
    await e.handle({ type: 'start-finetune', runId: 'f1', settings: { ...settings, lr: 0 } });
    expect(lastError(rec)).toMatchObject({ where: 'lr', runId: 'f1' });
    await e.handle({
      type: 'start-finetune',
      runId: 'f1',
      settings: { ...settings, init: 'scratch', transferLayers: 1 },
    });
    expect(lastError(rec)).toMatchObject({ where: 'transferLayers' });
    // Compare's own settings, by field, before anything else.
    const compare = { rows: 'table5' as const, seeds: 3, lrSweep: [] };
    await e.handle({ type: 'compare', runId: 'c1', settings, compare: { ...compare, seeds: 0 } });
    expect(lastError(rec)).toMatchObject({
      where: 'seeds',
      message: expect.stringMatching(/^the number of seeds must be/),
    });
    await e.handle({ type: 'compare', runId: 'c1', settings, compare: { ...compare, lrSweep: [1e-3, 1e-3] } });
    expect(lastError(rec)).toMatchObject({ where: 'lrSweep', message: 'the learning-rate sweep names a rate twice' });
    await e.handle({ type: 'compare', runId: 'c1', settings: { ...settings, seed: 2 ** 32 - 2 }, compare });
    expect(lastError(rec)).toMatchObject({
      where: 'seeds',
      message: expect.stringMatching(/^3 seeds from seed 4294967294 go past/),
    });
    expect(rec.of('finetune-state')).toHaveLength(0);
    await e.handle({ type: 'start-finetune', runId: 'f1', settings });
    expect(lastError(rec)).toMatchObject({ where: 'classification files', message: 'Add a training file first.' });
    await load('train', 'train.tsv', slice('classification/sst2/train.tsv', 8));
    await load('dev', 'dev.tsv', slice('classification/sst2/dev.tsv', 4));
    await e.handle({ type: 'start-finetune', runId: 'f1', settings });
    await e.finetuneFinished;
    const states = rec.of('finetune-state').map((s) => s.state);
    expect(states).toEqual(['preparing', 'error']);
    expect(rec.of('finetune-state').at(-1)!.message).toMatch(/no pretrained model in this tab yet/);
    await e.handle({ type: 'import-checkpoint', name: 'folder', files: [{ name: 'notes.txt', bytes: bytes('hi') }] });
    expect(lastError(rec)).toMatchObject({
      where: 'checkpoint',
      message: expect.stringMatching(/^folder: .*config\.json/),
    });
  });

  it('previews each family with its markers: pairs with a delimiter, both orders, one row per choice', async () => {
    const { engine: e, rec } = engine();
    const cases: [TaskFamily, string, string[]][] = [
      ['entailment', 'entailment/rte/train.tsv', ['premise $ hypothesis']],
      ['similarity', 'similarity/stsb/train.tsv', ['A $ B', 'B $ A']],
      ['multiple-choice', 'multiple-choice/copa/train.jsonl', ['choice 1', 'choice 2']],
    ];
    for (const [family, path, titles] of cases) {
      const text = path.endsWith('.jsonl')
        ? readFileSync(resolve('../shared/data', path), 'utf8').split('\n').slice(0, 6).join('\n')
        : slice(path, 6);
      const name = path.split('/').at(-1)!;
      await e.handle({ type: 'load-task-file', family, role: 'train', name, bytes: bytes(text), preview: scratch });
      const preview = rec.of('task-preview').at(-1)!.preview;
      expect(preview.family).toBe(family);
      expect(preview.sequences.map((q) => q.title)).toEqual(titles);
      for (const q of preview.sequences) {
        const kinds = q.tokens.map((t) => t.kind).filter((k) => k !== 'text' && k !== 'truncated');
        expect(kinds).toEqual(['start', 'delimiter', 'extract']);
      }
    }
    const stsb = rec.of('task-file-loaded').find((l) => l.summary.family === 'similarity')!.summary;
    expect(stsb).toMatchObject({ format: 'glue-stsb', regression: true, labels: [] });
    expect(stsb.scoreRange![1]).toBeGreaterThan(stsb.scoreRange![0]);
    const copa = rec.of('task-file-loaded').at(-1)!.summary;
    expect(copa.labels.map((l) => l.name)).toEqual(['choice 1', 'choice 2']);
    expect(copa.example.fields).toMatchObject({ context: 'My body cast a shadow over the grass because' });
  });

  it('imports a Hugging Face folder with its tokenizer; refuses one without a tokenizer', async () => {
    const { engine: e, rec } = engine();
    const config: Gpt1Config = { ...PRESETS.tiny, vocabSize: 40478, nLayer: 1, nEmbd: 16, nHead: 2, nInner: 64 };
    const { files } = exportHfCheckpoint(config, initParams(config, 3));
    const folder = [...files].map(([name, data]) => ({ name, bytes: data.slice().buffer as ArrayBuffer }));
    await e.handle({ type: 'import-checkpoint', name: 'tiny-hf', files: folder });
    expect(lastError(rec)).toMatchObject({
      where: 'checkpoint',
      message: expect.stringMatching(/^tiny-hf: tiny-hf has weights but no tokenizer: add GPT-1's vocab\.json/),
    });
    const tokenizerFiles = ['encoder_bpe_40000.json', 'vocab_40000.bpe'].map((name) => ({
      name,
      bytes: bytes(readFileSync(resolve('../shared/data/gpt1-tokenizer', name), 'utf8')),
    }));
    await e.handle({ type: 'import-checkpoint', name: 'tiny-hf', files: [...folder, ...tokenizerFiles] });
    expect(rec.of('checkpoint-imported').at(-1)!.info).toMatchObject({
      name: 'tiny-hf',
      kind: 'hugging-face',
      layers: 1,
      dims: 16,
      positions: 64,
      vocabSize: 40478,
      tokenizer: "GPT-1's BPE, 40,478 tokens",
    });
    await e.handle({
      type: 'load-task-file',
      family: 'classification',
      role: 'train',
      name: 'train.tsv',
      bytes: bytes(slice('classification/sst2/train.tsv', 4)),
      preview: { init: 'imported', preset: 'tiny', context: null },
    });
    const preview = rec.of('task-preview').at(-1)!.preview;
    expect(preview.tokenizer).toMatch(/^tiny-hf's tokenizer \(GPT-1's BPE, 40,47\d tokens\)/);
    expect(preview.sequences[0]!.tokens.slice(1, 4).map((t) => t.text)).toEqual(['hide</w>', 'new</w>', 'secre']);
  });

  it('refuses a folder whose files do not match its manifest, a NaN weight, and a tokenizer larger than the model', async () => {
    const { engine: e, rec } = engine();
    const config: Gpt1Config = { ...PRESETS.tiny, vocabSize: 40478, nLayer: 1, nEmbd: 16, nHead: 2, nInner: 64 };
    const tokenizerFiles = ['encoder_bpe_40000.json', 'vocab_40000.bpe'].map(
      (name) =>
        [name, new TextEncoder().encode(readFileSync(resolve('../shared/data/gpt1-tokenizer', name), 'utf8'))] as const,
    );
    const upload = (files: Map<string, Uint8Array>) =>
      e.handle({
        type: 'import-checkpoint',
        name: 'folder',
        files: [...files].map(([name, data]) => ({ name, bytes: data.slice().buffer as ArrayBuffer })),
      });
    const whole = await withManifest(
      new Map([...exportHfCheckpoint(config, initParams(config, 3)).files, ...tokenizerFiles]),
    );
    const mixed = new Map(whole);
    mixed.set('model.safetensors', exportHfCheckpoint(config, initParams(config, 4)).files.get('model.safetensors')!);
    await upload(mixed);
    expect(lastError(rec)?.message).toMatch(/^folder: model\.safetensors: its SHA-256 differs from manifest\.json/);
    const nan = initParams(config, 3);
    nan.get('h0.attprojb')![2] = Number.POSITIVE_INFINITY;
    await upload(new Map([...exportHfCheckpoint(config, nan).files, ...tokenizerFiles]));
    expect(lastError(rec)?.message).toMatch(
      /model\.safetensors: weight '.*h\.0\.attn\.c_proj\.bias' holds Infinity at index 2/,
    );
    const small = { ...config, vocabSize: 1000 };
    await upload(new Map([...exportHfCheckpoint(small, initParams(small, 3)).files, ...tokenizerFiles]));
    expect(lastError(rec)?.message).toMatch(
      /tokenizer has 40478 tokens but config\.json's model only 1000 token embeddings/,
    );
    expect(rec.of('checkpoint-imported')).toHaveLength(0); // nothing was imported
    await upload(whole);
    expect(rec.of('checkpoint-imported')).toHaveLength(1);
  });
});
