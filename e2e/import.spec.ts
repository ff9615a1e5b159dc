// Importing a model folder as Hugging Face Trainer leaves it: GPT-1's tokenizer files at the top and one
// `checkpoint-N/` sub-folder per save (config.json, model.safetensors, the pickled optimizer.pt beside them).
// The folder picker lists the checkpoints to choose from (never mixing their files by name), reads only the
// chosen one with a progress figure, and the imported model is the one of that sub-folder.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PRESETS } from '../src/model/config.ts';
import { exportHfCheckpoint } from '../src/model/hf-format.ts';
import { initParams } from '../src/model/weights.ts';
import { expect, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';

const TOKENIZER_FILES = ['encoder_bpe_40000.json', 'vocab_40000.bpe'];

/** A Trainer-style output folder whose two checkpoints differ in their width (so the import says which one). */
function trainerFolder(root: string): void {
  for (const name of TOKENIZER_FILES) {
    writeFileSync(join(root, name), readFileSync(resolve('../shared/data/gpt1-tokenizer', name)));
  }
  const widths = { 'checkpoint-2': 16, 'checkpoint-10': 32 };
  for (const [folder, nEmbd] of Object.entries(widths)) {
    const config = { ...PRESETS.tiny, vocabSize: 40478, nLayer: 1, nEmbd, nHead: 2, nInner: 4 * nEmbd };
    mkdirSync(join(root, folder), { recursive: true });
    for (const [name, bytes] of exportHfCheckpoint(config, initParams(config, 3)).files) {
      writeFileSync(join(root, folder, name), bytes);
    }
    // A pickle's protocol-2 header, as torch.save writes: read only to be named, never loaded.
    writeFileSync(join(root, folder, 'optimizer.pt'), Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00]));
  }
  mkdirSync(join(root, 'runs'));
  writeFileSync(join(root, 'runs', 'events.out.tfevents.1'), Buffer.alloc(128));
}

test('a Trainer output folder lists its checkpoints; the chosen one is read with progress and imported', async ({
  classification,
  shell,
  pretrain,
}, testInfo) => {
  const root = testInfo.outputPath('trainer-out');
  mkdirSync(root, { recursive: true });
  trainerFolder(root);

  await classification.open();
  await classification.startFrom('Imported checkpoint');
  await classification.panel.getByLabel('Checkpoint folder').setInputFiles(root);

  const choice = classification.panel.getByLabel('Checkpoint in trainer-out');
  await expect(choice.getByRole('option')).toHaveText([
    /^checkpoint-2 \(step 2, \d+\.\d MiB, tokenizer from the top folder\)$/,
    /^checkpoint-10 \(step 10, \d+\.\d MiB, tokenizer from the top folder\)$/,
  ]);
  await expect(choice).toHaveValue('checkpoint-10'); // the latest is selected
  await choice.selectOption('checkpoint-2');
  await classification.panel.getByRole('button', { name: 'Import this checkpoint' }).click();

  const info = classification.panel.getByTestId('imported-info');
  await expect(info).toHaveText(
    /^Hugging Face checkpoint trainer-out\/checkpoint-2: 1 blocks, 16 dims, 2 heads, 64 positions, tokenizer GPT-1's BPE, 40,478 tokens\./,
  );
  // Read: the chosen sub-folder's files and the top folder's tokenizer; of optimizer.pt at most its head.
  const read = [
    'checkpoint-2/config.json',
    'checkpoint-2/model.safetensors',
    'checkpoint-2/optimizer.pt',
    ...TOKENIZER_FILES,
  ];
  const bytes = read.reduce((sum, path) => sum + statSync(join(root, path)).size, 0);
  await expect(classification.panel.getByTestId('import-read')).toHaveAttribute('data-bytes', String(bytes));
  await expect(classification.panel.getByRole('radio', { name: 'Imported checkpoint' })).toBeChecked();
  await expect(classification.panel.getByLabel('Checkpoint in trainer-out')).toHaveCount(0);

  await test.step('the Pretrain tab can pre-train the imported model further: its tokenizer, shape and weights', async () => {
    await shell.show('Pretrain');
    await pretrain.loadDemoCorpus();
    await pretrain.panel.getByRole('radio', { name: 'Imported model' }).check();
    await expect(pretrain.panel.getByTestId('model-from-import')).toHaveText(
      /^The run starts from trainer-out\/checkpoint-2: its weights and its shape \(1 layers × 16, 2 heads, context up to 64\)/,
    );
    await expect(pretrain.field('Width')).toHaveValue('16');
    // Opened without training: a run at step 0 holding the imported weights, to generate from or export.
    await shell.kernelTuning.uncheck(); // timing kernels for a 40,478-token head is not what this test is about
    await pretrain.panel.getByRole('button', { name: 'Open it without training' }).click();
    await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
    expect(await pretrain.step()).toBe(0);
    await expect(pretrain.export).toBeEnabled();
  });
});
