// The Runs tab for pre-training: the run with its loss in the table and its curve in the overlay, with the
// main thread free. (Saved runs: pretrain.spec.ts; fine-tuning runs kept across reloads: tasks.spec.ts.)

import { expect, test } from './fixtures.ts';
import { dataValue } from './pages/read.ts';

test('lists the run with its loss and overlays its loss curve', async ({ shell, pretrain, runs, note }, testInfo) => {
  await pretrain.trainDemo({ steps: 2 });
  const runId = await pretrain.runId();
  const shownAt = await shell.now();
  await runs.open();

  await expect(runs.runs.getByRole('row')).toHaveCount(2);
  const row = runs.row(runs.runs, runId);
  await expect(await runs.cell(runs.runs, row, 'Preset')).toHaveText('tiny');
  await expect(await runs.cell(runs.runs, row, 'State')).toHaveText('done');
  await expect.poll(async () => dataValue(await runs.cell(runs.runs, row, 'Loss'))).toBeGreaterThan(0);
  await expect(runs.overlay).toBeVisible();

  const tasks = await shell.longTasksSince(shownAt, 'runs tab', (d) => note('long tasks', d));
  expect(tasks, 'main-thread tasks over 50 ms on the Runs tab').toEqual([]);
  await shell.page.screenshot({ path: testInfo.outputPath('runs.png'), fullPage: true });
});
