// CLI checkpoints end to end (GPU tier, Dawn/SwiftShader, tiny shapes): --out checked before any GPU work,
// checkpoints as checkpoint-<step> folders with a manifest, `--resume` continuing pre-training and
// fine-tuning bit for bit (3 + 3 steps equal 6, through the files on disk), a mixed folder refused naming the
// file, a run that diverges naming the last good checkpoint, and `--init` pre-training a model further.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, withManifest } from '../../model/manifest.ts';
import { parseSafetensors, readFloat32, serializeSafetensors } from '../../model/safetensors.ts';
import { UsageError } from '../args.ts';
import { finetuneCommand } from './finetune.ts';
import { generateCommand } from './generate.ts';
import { pretrainCommand } from './pretrain.ts';

const root = mkdtempSync(join(tmpdir(), 'gpt1-lab-cli-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const corpus = '../shared/data/pretrain/tinyshakespeare.txt';
const quiet = ['--no-tune', '--eval-every', '0'];
const pretrain = (...args: string[]) => pretrainCommand(['--corpus', corpus, ...quiet, ...args]);

/** A checkpoint's weights and moments, and its training state without the free-form notes. */
function fingerprint(dir: string) {
  const state = JSON.parse(readFileSync(join(dir, 'training_state.json'), 'utf8'));
  delete state.notes;
  return {
    model: readFileSync(join(dir, 'model.safetensors')),
    optimizer: readFileSync(join(dir, 'optimizer.safetensors')),
    state,
  };
}

function taskSlice(name: string, path: string, rows: number): string {
  const lines = readFileSync(join('../shared/data', path), 'utf8')
    .split('\n')
    .slice(0, rows + 1);
  const file = join(root, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('CLI checkpoints', () => {
  it('checks --out before any GPU work', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(pretrain('--out', file)).rejects.toThrow(/--out .*a-file is a file: give a folder/);
    const foreign = join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    await expect(pretrain('--out', foreign)).rejects.toThrow(
      /already holds files that are not checkpoints .*notes\.txt/,
    );
    await expect(pretrain('--save-every', '2')).rejects.toThrow(UsageError);
  });

  it('pre-training: 3 + 3 steps through a checkpoint folder equal 6 steps, bit for bit', async () => {
    const straight = join(root, 'pre-a');
    const result = (await pretrain(
      '--steps',
      '6',
      '--batch',
      '2',
      '--save-every',
      '3',
      '--seed',
      '4',
      '--out',
      straight,
    )) as {
      out: string;
    };
    expect(result.out).toBe(straight);
    expect(readdirSync(straight).sort()).toEqual(['checkpoint-3', 'checkpoint-6']);
    expect(readdirSync(join(straight, 'checkpoint-6'))).toContain(MANIFEST_FILE);
    // A run folder with checkpoints is not a fresh --out.
    await expect(pretrain('--steps', '6', '--out', straight)).rejects.toThrow(/continue it with --resume/);

    const resumed = join(root, 'pre-b');
    await pretrainCommand(['--corpus', corpus, ...quiet, '--resume', join(straight, 'checkpoint-3'), '--out', resumed]);
    expect(readdirSync(resumed)).toEqual(['checkpoint-6']);
    expect(fingerprint(join(resumed, 'checkpoint-6'))).toEqual(fingerprint(join(straight, 'checkpoint-6')));
    // Settings come from the checkpoint: giving them again is refused by name.
    await expect(
      pretrainCommand(['--corpus', corpus, '--resume', straight, '--lr', '0.01', '--batch', '4']),
    ).rejects.toThrow(/--batch, --lr: a resumed run continues with its checkpoint's settings/);
  });

  it('--init pre-trains a model further: its weights and tokenizer, a fresh optimizer and schedule', async () => {
    const model = join(root, 'pre-a', 'checkpoint-6');
    const before = JSON.parse(readFileSync(join(model, 'training_state.json'), 'utf8'));
    const further = join(root, 'further');
    const result = (await pretrain('--init', model, '--steps', '2', '--batch', '2', '--out', further)) as {
      initialValLoss: number;
    };
    // Same weights, same corpus, batch and context: its first evaluation is the model's last, to the bit.
    expect(result.initialValLoss).toBe(before.notes.finalValLoss);
    const after = JSON.parse(readFileSync(join(further, 'checkpoint-2', 'training_state.json'), 'utf8'));
    expect(after.tokenizer).toEqual(before.tokenizer);
    expect(after.step).toBe(2); // a new run: its own steps and schedule, not step 6 + 2
    expect(after.notes.init).toBe(model); // where it started, as given
    await expect(pretrain('--init', model, '--tokenizer', 'bpe:300')).rejects.toThrow(
      /--tokenizer: a model given with --init keeps its own size and tokenizer; drop them/,
    );
    await expect(pretrain('--init', model, '--resume', model)).rejects.toThrow(/give one of them/);
    await expect(pretrain('--init', model, '--context', '65')).rejects.toThrow(/^--init .*checkpoint-6: /);
  });

  it('refuses a folder whose files do not match its manifest, naming the file', async () => {
    const mixed = join(root, 'mixed');
    cpSync(join(root, 'pre-a', 'checkpoint-6'), mixed, { recursive: true });
    cpSync(join(root, 'pre-a', 'checkpoint-3', 'model.safetensors'), join(mixed, 'model.safetensors'));
    await expect(generateCommand(['--ckpt', mixed, '--prompt', 'a', '--no-tune'])).rejects.toThrow(
      /mixed\/model\.safetensors: its SHA-256 differs from manifest\.json/,
    );
  });

  it('a run that diverges names the last good checkpoint', async () => {
    // A copy of the run whose checkpoint-3 holds one enormous (finite) weight: the next step overflows.
    const run = join(root, 'diverging');
    cpSync(join(root, 'pre-a'), run, { recursive: true });
    rmSync(join(run, 'checkpoint-6'), { recursive: true });
    const ckpt = join(run, 'checkpoint-3');
    const model = parseSafetensors(new Uint8Array(readFileSync(join(ckpt, 'model.safetensors'))));
    const tensors = [...model.tensors.values()].map((info) => {
      const data = readFloat32(model, info.name);
      if (info.name.endsWith('h.0.ln_1.weight')) data.fill(3e38);
      return [info.name, { shape: info.shape, data }] as [string, { shape: readonly number[]; data: Float32Array }];
    });
    const files = new Map<string, Uint8Array>(
      readdirSync(ckpt)
        .filter((n) => n !== MANIFEST_FILE)
        .map((n) => [n, new Uint8Array(readFileSync(join(ckpt, n)))]),
    );
    files.set('model.safetensors', serializeSafetensors(tensors));
    for (const [name, data] of await withManifest(files)) writeFileSync(join(ckpt, name), data);
    await expect(pretrainCommand(['--corpus', corpus, ...quiet, '--resume', run])).rejects.toThrow(
      /Training stopped at step 4: .*The last good checkpoint is kept: .*diverging\/checkpoint-3 \(continue with --resume .*diverging\)/,
    );
    expect(readdirSync(run)).toEqual(['checkpoint-3']); // nothing partial, nothing broken saved
  });

  it('fine-tuning: 3 + 3 steps through a checkpoint folder equal 6 steps, bit for bit', async () => {
    const train = taskSlice('train.tsv', 'classification/sst2/train.tsv', 24);
    const dev = taskSlice('dev.tsv', 'classification/sst2/dev.tsv', 8);
    const task = ['--task', 'classification', '--train', train, '--dev', dev, '--no-tune'];
    const straight = join(root, 'ft-a');
    await finetuneCommand([
      ...task,
      '--scratch',
      '--batch',
      '8',
      '--max-steps',
      '6',
      '--lr',
      '0.001',
      '--context',
      '32',
      '--save-every',
      '3',
      '--out',
      straight,
    ]);
    expect(readdirSync(straight).sort()).toEqual(['checkpoint-3', 'checkpoint-6']);
    const resumed = join(root, 'ft-b');
    await finetuneCommand([...task, '--resume', join(straight, 'checkpoint-3'), '--out', resumed]);
    expect(fingerprint(join(resumed, 'checkpoint-6'))).toEqual(fingerprint(join(straight, 'checkpoint-6')));
    await expect(finetuneCommand([...task, '--resume', straight, '--epochs', '2'])).rejects.toThrow(
      /--epochs: a resumed run/,
    );
    await expect(
      finetuneCommand(['--task', 'entailment', '--train', train, '--dev', dev, '--resume', straight]),
    ).rejects.toThrow(/fine-tuned classification, not entailment/);
  });
});
