// A real storage quota error during a checkpoint save: Chromium's DevTools protocol lowers this origin's quota
// (Storage.overrideQuotaForOrigin) to a little above what it uses, so the browser itself refuses the next
// checkpoint's files. The run trains on, the previous checkpoint is kept (the Runs tab resumes from it), and
// the message names the saved run to delete with its size; once it is deleted, the next save goes through.
import { expect, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { dataValue } from './pages/read.ts';

test.describe.configure({ timeout: 2 * TRAINING_TIMEOUT });

test('a save the quota refuses keeps the previous checkpoint and says what to delete; deleting it makes room', async ({
  context,
  shell,
  pretrain,
  runs,
}) => {
  const { page } = shell;
  await pretrain.trainDemo({ steps: 2 });
  const older = await pretrain.runId();

  let runId = '';
  let kept = 0;
  await test.step('a second run, paused once so that a checkpoint is saved', async () => {
    await pretrain.configureTiny({ steps: 400 });
    await pretrain.start.click();
    await expect(pretrain.state).toHaveText('running', { timeout: TRAINING_TIMEOUT });
    runId = await pretrain.runId();
    expect(runId).not.toBe(older);
    // Paused after a step, so the checkpoint the pause saves holds trained weights (step > 0).
    await expect.poll(() => pretrain.step(), { timeout: TRAINING_TIMEOUT }).toBeGreaterThan(0);
    await pretrain.pauseResume.click();
    await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
    kept = await dataValue(pretrain.runFigure('Checkpoint'));
    expect(kept).toBeGreaterThan(0);
  });

  const cdp = await context.newCDPSession(page);
  const origin = new URL(page.url()).origin;
  try {
    const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 256 * 1024 });

    await test.step('the next checkpoint does not fit: training goes on, the message says what to delete', async () => {
      await pretrain.pauseResume.click();
      await expect.poll(() => pretrain.step(), { timeout: TRAINING_TIMEOUT }).toBeGreaterThan(kept);
      await pretrain.pauseResume.click();
      await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
      const refused = shell.alerts.filter({ hasText: /The checkpoint of step \d+ was not saved/ });
      await expect(refused).toContainText(
        new RegExp(
          String.raw`browser storage \(OPFS\) is full \(it needs \d+\.\d MiB, [^)]+\)\. ` +
            `Training goes on, and the checkpoint of step ${kept} is kept\\. ` +
            String.raw`To make room, delete saved runs you no longer need on the Runs tab: ${older} \(\d+\.\d MiB\)`,
        ),
      );
      await expect(pretrain.runFigure('Checkpoint')).toHaveAttribute('data-value', String(kept));
      await pretrain.stop.click();
      await expect(pretrain.state).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
    });

    await test.step('the Runs tab offers the kept checkpoint, and the run it named with its size', async () => {
      await runs.open();
      await expect(runs.resumeSaved(runId)).toHaveText(`Resume run ${runId} at step ${kept}`);
      await expect(runs.savedRun(older)).toContainText(/\d+(\.\d+)? (KiB|MiB)/);
    });

    await test.step('deleting that run makes room: the resumed run saves again', async () => {
      await runs.deleteSaved(older);
      await expect(runs.savedRun(older)).toHaveCount(0);
      await runs.resumeSaved(runId).click();
      await shell.show('Pretrain');
      await expect(pretrain.state).toHaveText('running', { timeout: TRAINING_TIMEOUT });
      await pretrain.pauseResume.click();
      await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
      await expect.poll(() => dataValue(pretrain.runFigure('Checkpoint'))).toBeGreaterThan(kept);
    });
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});
