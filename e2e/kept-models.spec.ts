// A fine-tuned model kept as a person uses it: fine-tune a tiny model from scratch, pause it (a checkpoint is
// saved at that step boundary), reload the page, resume it from the Runs tab (its task files come back with
// it), let it finish, try it on a sentence, and export it as a Hugging Face folder whose model card names the
// head, the input transformation and the labels; then delete it.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { expect, secondsSince, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { sst2Slice } from './pages/tasks-page.ts';

test.describe.configure({ timeout: 3 * TRAINING_TIMEOUT });

test('keeps a fine-tuned model: pause, reload, resume, export, delete', async ({
  shell,
  classification: tab,
  runs,
  note,
}) => {
  const t0 = Date.now();
  await tab.open();
  for (const [split, rows] of [
    ['train', 24],
    ['dev', 4],
  ] as const) {
    const file = sst2Slice(split, rows, test.info().outputPath(`${split}.tsv`));
    await (split === 'train' ? tab.trainFile : tab.devFile).setInputFiles(file);
  }
  await tab.fastScratchSettings();
  // 12 steps of 8 × 16 tokens: quick on SwiftShader, with room to pause well before the end on a fast machine.
  await tab.field('Epochs').fill('4');
  await tab.field('Batch size').fill('8');
  await tab.field('Longest sequence').fill('16');
  const controls = tab.panel.getByRole('toolbar', { name: 'Fine-tuning controls' });
  let runId = '';
  let pausedAt = 0;

  await test.step('Pause keeps a checkpoint at the step boundary', async () => {
    await expect(tab.train).toBeEnabled();
    await tab.train.click();
    await expect(tab.finetuneState).toHaveText('running', { timeout: TRAINING_TIMEOUT });
    await controls.getByRole('button', { name: 'Pause' }).click();
    await expect(tab.finetuneState).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
    runId = await tab.finetuneRunId();
    pausedAt = Number(await tab.finetuneProgress.getAttribute('aria-valuenow'));
    expect(pausedAt).toBeLessThan(12);
    await runs.open();
    await expect(
      runs.panel.getByRole('button', { name: `Resume fine-tuned model ${runId} at step ${pausedAt}` }),
    ).toBeVisible();
  });

  await test.step('after a reload, Resume continues it from storage to the end', async () => {
    await shell.reload();
    await runs.open();
    const resume = runs.panel.getByRole('button', { name: `Resume fine-tuned model ${runId} at step ${pausedAt}` });
    await expect(resume).toBeEnabled();
    await resume.click();
    await tab.open();
    await expect(tab.finetuneState).toHaveText('done', { timeout: TRAINING_TIMEOUT });
    await expect(tab.finetuneProgress).toHaveAttribute('aria-valuenow', '12');
    await expect(tab.fileSummary('Training data', 'train.tsv')).toBeVisible();
  });

  await test.step('Try it: probabilities as bars with their values, the input with its markers, attention', async () => {
    const panel = tab.panel.getByRole('region', { name: 'Try it' });
    await panel.getByLabel('Text').fill('a fine film');
    await panel.getByRole('button', { name: 'Try' }).click();
    const bars = panel.getByRole('list', { name: 'Probabilities' }).getByRole('listitem');
    await expect(bars).toHaveCount(2);
    await expect(bars.first()).toHaveText(/^0: \d+\.\d %$/);
    const total = (await bars.evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-value'))))).reduce(
      (a, b) => a + b,
    );
    expect(total).toBeCloseTo(1, 5);
    await expect(panel.getByText('[extract token]')).toBeAttached();
    await expect(panel.locator('[data-extract-strip]').first()).toBeVisible();
  });

  await test.step('Export downloads its folder with a model card; Delete removes it', async () => {
    await runs.open();
    const download = shell.page.waitForEvent('download');
    await runs.panel.getByRole('button', { name: `Export ${runId}` }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`${runId}-step12-openai-gpt.zip`);
    const files = unzipSync(new Uint8Array(readFileSync((await file.path())!)));
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'config.json',
      'manifest.json',
      'model.safetensors',
      'optimizer.safetensors',
      'training_state.json',
    ]);
    const card = new TextDecoder().decode(files['README.md']);
    expect(card).toContain('| Head | a linear layer on the final state at _classify_: 2 classes, softmax |');
    expect(card).toContain('| Input transformation | _start_ text _classify_ |');
    expect(card).toContain('| Labels | 0, 1 |');
    await runs.panel.getByRole('button', { name: `Delete fine-tuned model ${runId}` }).click();
    await runs.panel.getByRole('button', { name: `Really delete ${runId}?` }).click();
    await expect(runs.panel.getByRole('button', { name: `Export ${runId}` })).toHaveCount(0);
  });
  note('keep → reload → resume → try → export (12 steps of 8 × 16)', `${secondsSince(t0)} s`);
});
