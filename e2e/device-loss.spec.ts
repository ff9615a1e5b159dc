// A GPU device lost in the browser while a run trains. The loss is real: the engine's debug-lose-device command
// (device.destroy(), the hook the Node engine tests use too) is handed to the engine worker as a message would
// arrive. In Chromium a failed readback shows before the loss is told; the run still ends in error saying what
// happened (not the readback's words) and at which step. The device panel offers to reconnect; then a new
// fine-tuning run trains to the end, and a pre-training run resumes from the checkpoint the message names.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { sst2Slice } from './pages/tasks-page.ts';

test.describe.configure({ timeout: 2 * TRAINING_TIMEOUT });

/** Destroys the engine's GPU device from inside its worker, as a 'debug-lose-device' command does. */
async function loseDevice(page: Page): Promise<void> {
  const engine = page.workers().find((worker) => worker.url().includes('/assets/worker-'));
  if (!engine) throw new Error(`no engine worker among ${page.workers().map((w) => w.url())}`);
  await engine.evaluate(() => {
    const scope = self as unknown as { onmessage: (message: { data: unknown }) => void };
    scope.onmessage({ data: { type: 'debug-lose-device' } });
  });
}

test('a device lost mid fine-tuning ends the run saying so; after Reconnect the next run trains', async ({
  shell,
  classification: tab,
}) => {
  await tab.open();
  for (const [split, rows] of [
    ['train', 48],
    ['dev', 24],
  ] as const) {
    const file = sst2Slice(split, rows, test.info().outputPath(`${split}.tsv`));
    await (split === 'train' ? tab.trainFile : tab.devFile).setInputFiles(file);
  }
  await tab.fastScratchSettings();
  await tab.field('Epochs').fill('100');
  await tab.train.click();
  await expect
    .poll(() => tab.finetuneProgress.getAttribute('aria-valuenow'), { timeout: TRAINING_TIMEOUT })
    .not.toBe('0');

  await loseDevice(shell.page);
  await expect(tab.finetuneState).toHaveText('error', { timeout: TRAINING_TIMEOUT });
  await expect(tab.panel.getByText(/^The GPU device was lost \(destroyed/)).toContainText(
    /Fine-tuning run \S+ ended at step \d+\. Start it again: a fresh GPU device will be opened\.$/,
  );
  await expect(shell.adapter.getByRole('alert')).toContainText('The GPU device was lost');

  await shell.adapter.getByRole('button', { name: 'Reconnect to the GPU' }).click();
  await shell.ready();
  await tab.field('Epochs').fill('1');
  await tab.finetune();
});

test('a device lost mid pre-training keeps its checkpoint; after Reconnect the run resumes from it', async ({
  shell,
  pretrain,
  runs,
}) => {
  await pretrain.startDemo({ steps: 400 });
  const runId = await pretrain.runId();
  await pretrain.pauseResume.click(); // a pause saves a checkpoint
  await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
  await pretrain.pauseResume.click();
  await expect(pretrain.state).toHaveText('running');

  await loseDevice(shell.page);
  await expect(pretrain.state).toHaveText('error', { timeout: TRAINING_TIMEOUT });
  const message = pretrain.panel.getByText(/^The GPU device was lost \(destroyed/);
  await expect(message).toContainText(/The last good checkpoint \(step \d+\) is kept: resume from it\.$/);
  const kept = Number(/step (\d+)\) is kept/.exec((await message.textContent()) ?? '')?.[1]);

  await shell.adapter.getByRole('button', { name: 'Reconnect to the GPU' }).click();
  await shell.ready();
  await runs.open();
  await runs.resumeSaved(runId).click();
  await shell.show('Pretrain');
  await expect(pretrain.state).toHaveText('running', { timeout: TRAINING_TIMEOUT });
  await expect.poll(() => pretrain.step()).toBeGreaterThanOrEqual(kept);
  await pretrain.stop.click();
  await expect(pretrain.state).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
});
