// Every model is a first-class model, as a person uses one: a GPT-1-layout folder (config.json,
// model.safetensors and GPT-1's own tokenizer files) is imported, generated from and looked into from the Runs
// tab's model list, pre-trained further on the demo corpus, and the result fine-tuned on SST-2 rows. The
// fine-tuning run is paused (a checkpoint at that step), the page reloaded, the kept model resumed to the end,
// tried, generated from with its LM head and looked into; it is exported as a Hugging Face folder with a model
// card, and that folder imported again answers Try it with the same probabilities, to the last digit. Then the
// kept model is deleted.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { PRESETS } from '../src/model/config.ts';
import { exportHfCheckpoint } from '../src/model/hf-format.ts';
import { initParams } from '../src/model/weights.ts';
import { expect, secondsSince, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { sst2Slice } from './pages/tasks-page.ts';

test.describe.configure({ timeout: 4 * TRAINING_TIMEOUT });

/** A 1-layer, 16-wide model in the real GPT-1 layout, with GPT-1's 40,478-token BPE. */
function gpt1Folder(root: string): void {
  mkdirSync(root, { recursive: true });
  for (const name of ['encoder_bpe_40000.json', 'vocab_40000.bpe']) {
    writeFileSync(join(root, name), readFileSync(resolve('../shared/data/gpt1-tokenizer', name)));
  }
  const config = { ...PRESETS.tiny, vocabSize: 40478, nLayer: 1, nEmbd: 16, nHead: 2, nInner: 64 };
  for (const [name, bytes] of exportHfCheckpoint(config, initParams(config, 5)).files) {
    writeFileSync(join(root, name), bytes);
  }
}

test('import → generate → attention → pre-train further → fine-tune → reload → resume → export → re-import', async ({
  shell,
  pretrain,
  attention,
  classification: tab,
  runs,
  note,
}, testInfo) => {
  const t0 = Date.now();
  const root = testInfo.outputPath('tiny-gpt1');
  gpt1Folder(root);
  await shell.kernelTuning.uncheck(); // timing kernels for a 40,478-token head is not what this test is about
  const models = runs.panel.getByRole('table', { name: 'Models' });
  const use = (action: string, model: RegExp | string) =>
    models.getByRole('button', { name: typeof model === 'string' ? `${action} ${model}` : model });

  await test.step('import the folder; generate from it and look into it from the model list', async () => {
    await tab.open();
    await tab.startFrom('Imported checkpoint');
    await tab.panel.getByLabel('Checkpoint folder').setInputFiles(root);
    await expect(tab.panel.getByTestId('imported-info')).toHaveText(
      /^Hugging Face checkpoint tiny-gpt1: 1 blocks, 16 dims, 2 heads, 64 positions, tokenizer GPT-1's BPE, 40,478 tokens\./,
    );
    await runs.open();
    await use('Generate from', 'Imported tiny-gpt1').click();
    await expect(pretrain.field('Model')).toHaveValue('imported');
    await pretrain.generate({ prompt: 'the cat', maxTokens: 3, temperature: 1 });
    await expect(pretrain.generated).not.toHaveAttribute('aria-busy', 'true', { timeout: TRAINING_TIMEOUT });
    await expect(pretrain.generated).toContainText(/^the cat.+/);
    const nextTokens = pretrain.panel.getByRole('figure', { name: /^Next token/ }).getByRole('row');
    await expect(nextTokens).toHaveCount(11, { timeout: TRAINING_TIMEOUT }); // the header and ten tokens

    await runs.open();
    await use('Attention of', 'Imported tiny-gpt1').click();
    await expect(attention.model).toHaveValue('imported');
    await attention.inspect('the cat sat');
    await expect(attention.panel).toContainText(/ tokens \(imported model\)/);
  });

  let pretrainRun = '';
  await test.step('pre-train it further on the demo corpus: its tokenizer, shape and weights', async () => {
    await runs.open();
    await use('Pre-train', 'Imported tiny-gpt1 further').click();
    await pretrain.loadDemoCorpus();
    await expect(pretrain.panel.getByRole('radio', { name: 'Imported model' })).toBeChecked();
    await expect(pretrain.field('Width')).toHaveValue('16');
    await pretrain.field('Batch').fill('2');
    await pretrain.field('Steps').fill('2');
    await pretrain.field('Eval every').fill('0');
    await pretrain.field('Sample every').fill('0');
    await pretrain.field('Zero-shot probes every').fill('0');
    await pretrain.start.click();
    await expect(pretrain.state).toHaveText('done', { timeout: TRAINING_TIMEOUT });
    pretrainRun = await pretrain.runId();
  });

  const controls = tab.panel.getByRole('toolbar', { name: 'Fine-tuning controls' });
  let runId = '';
  let pausedAt = 0;
  await test.step('fine-tune the pre-trained model on SST-2 rows; Pause keeps a checkpoint', async () => {
    await runs.open();
    await use('Fine-tune', new RegExp(`^Fine-tune Pre-training run ${pretrainRun} `)).click();
    await expect(tab.panel.getByRole('radio', { name: 'Current pretrained model' })).toBeChecked();
    await tab.trainFile.setInputFiles(sst2Slice('train', 24, testInfo.outputPath('train.tsv')));
    await tab.devFile.setInputFiles(sst2Slice('dev', 4, testInfo.outputPath('dev.tsv')));
    // 6 steps of 8 × 16 tokens: room to pause before the end.
    await tab.field('Epochs').fill('2');
    await tab.field('Batch size').fill('8');
    await tab.field('Peak learning rate').fill('1e-3');
    await tab.field('Longest sequence').fill('16');
    await expect(tab.train).toBeEnabled();
    await tab.train.click();
    await expect(tab.finetuneState).toHaveText('running', { timeout: TRAINING_TIMEOUT });
    await controls.getByRole('button', { name: 'Pause' }).click();
    await expect(tab.finetuneState).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
    runId = await tab.finetuneRunId();
    pausedAt = Number(await tab.finetuneProgress.getAttribute('aria-valuenow'));
    expect(pausedAt).toBeLessThan(6);
  });

  const tryPanel = tab.panel.getByRole('region', { name: 'Try it' });
  const tryIt = async (model: string) => {
    await tryPanel.getByLabel('Model').selectOption({ label: model });
    await tryPanel.getByLabel('Text').fill('a fine film');
    await tryPanel.getByRole('button', { name: 'Try' }).click();
    const bars = tryPanel.getByRole('list', { name: 'Probabilities' }).getByRole('listitem');
    await expect(bars).toHaveCount(2);
    // The bars of the model asked for (a previous answer is replaced when the new one arrives).
    await expect(tryPanel.getByText(/^Answered by /)).toHaveText(`Answered by ${model}`);
    return bars.evaluateAll((items) => items.map((i) => i.getAttribute('data-value')));
  };

  let kept: (string | null)[] = [];
  await test.step('after a reload: resume the kept model to the end, try it, generate and look into it', async () => {
    await shell.reload();
    await runs.open();
    const resume = runs.panel.getByRole('button', { name: `Resume fine-tuned model ${runId} at step ${pausedAt}` });
    await expect(resume).toBeEnabled();
    await resume.click();
    await expect(tab.finetuneState).toHaveText('done', { timeout: TRAINING_TIMEOUT });
    await expect(tab.finetuneProgress).toHaveAttribute('aria-valuenow', '6');
    kept = await tryIt(`${runId} (this tab's run, done at step 6)`);

    await runs.open();
    await use('Generate from', new RegExp(`^Generate from Fine-tuned classification model ${runId}\\b`)).click();
    await pretrain.generate({ prompt: 'a fine', maxTokens: 2, temperature: 1 });
    await expect(pretrain.generated).not.toHaveAttribute('aria-busy', 'true', { timeout: TRAINING_TIMEOUT });
    await expect(pretrain.generated).toContainText(/^a fine.+/);

    await runs.open();
    await use('Attention of', new RegExp(`^Attention of Fine-tuned classification model ${runId}\\b`)).click();
    await attention.inspect('a fine film');
    await expect(attention.extractStrip(1, 1)).toBeVisible();
  });

  await test.step('export it: a Hugging Face folder with a model card; imported again, it answers the same', async () => {
    await runs.open();
    const download = shell.page.waitForEvent('download');
    await runs.panel.getByRole('button', { name: `Export ${runId}`, exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`${runId}-step6-openai-gpt.zip`);
    const files = unzipSync(new Uint8Array(readFileSync((await file.path())!)));
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'config.json',
      'manifest.json',
      'merges.txt', // GPT-1's tokenizer as transformers reads it
      'model.safetensors',
      'optimizer.safetensors',
      'training_state.json',
      'vocab.json',
    ]);
    const card = new TextDecoder().decode(files['README.md']);
    expect(card).toContain('| Head | a linear layer on the final state at _classify_: 2 classes, softmax |');
    expect(card).toContain('| Input transformation | _start_ text _classify_ |');
    expect(card).toContain('| Labels | 0, 1 |');
    const folder = testInfo.outputPath('exported');
    mkdirSync(folder);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(folder, name), bytes);

    await tab.open();
    await tab.startFrom('Imported checkpoint');
    await tab.panel.getByLabel('Checkpoint folder').setInputFiles(folder);
    await expect(tab.panel.getByTestId('imported-info')).toContainText('exported');
    const again = await tryIt('exported (imported)');
    expect(again).toEqual(kept);
  });

  await test.step('Delete removes the kept model', async () => {
    await runs.open();
    await runs.panel.getByRole('button', { name: `Delete fine-tuned model ${runId}` }).click();
    await runs.panel.getByRole('button', { name: `Really delete ${runId}?` }).click();
    await expect(runs.panel.getByRole('button', { name: `Export ${runId}`, exact: true })).toHaveCount(0);
  });
  note('model journey (import → … → re-import, 1 × 16 with a 40,478-token head)', `${secondsSince(t0)} s`);
});
