// The Attention tab for a pre-trained model: a layers × heads grid of non-empty heatmaps, one head enlarged
// with a hover readout, and the head view, with the main thread free while it draws; live attention taken at
// each step of the run, and the scrubber going back to an earlier snapshot.

import { expect, test } from './fixtures.ts';
import { distinctColours } from './pages/attention-page.ts';

test('shows heatmaps for the current run, one head enlarged with its readout, and the head view', async ({
  shell,
  pretrain,
  attention,
  note,
}, testInfo) => {
  // Live attention on before the run: a snapshot at each of its steps.
  await attention.open();
  await attention.live.check();
  await attention.liveEvery.selectOption('1');
  await shell.show('Pretrain');
  await pretrain.trainDemo({ steps: 2 });
  await attention.open();
  await expect(attention.snapshotStep).toHaveAttribute('data-step', '2');
  const shownAt = await shell.now();
  await attention.inspect('The model reads this line.');

  await test.step('the grid: every layer and head, not blank', async () => {
    await expect(attention.heatmap(2, 4)).toBeVisible();
    // Polled: the grid redraws (from the last live snapshot to the maps asked for) off the main task.
    const colours = () => distinctColours(attention.heatmap(1, 1).locator('canvas'));
    await expect.poll(colours, { message: 'distinct colours in the layer 1 head 1 heatmap' }).toBeGreaterThan(2);
  });

  await test.step('one head enlarged, with the value under the pointer', async () => {
    await attention.heatmap(2, 3).click();
    const enlarged = attention.enlarged(2, 3);
    await expect(enlarged).toBeVisible();
    await enlarged.scrollIntoViewIfNeeded(); // the mouse only reaches what is inside the viewport
    const box = (await enlarged.boundingBox())!;
    await shell.page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.9);
    await expect(enlarged).toHaveAccessibleDescription(/query \d+\) → .* \(key \d+\): \d\.\d{4}/);
  });

  await test.step('the head view', async () => {
    await attention.attendingToken(3).hover();
    await expect(attention.headView).toBeVisible();
  });

  const tasks = await shell.longTasksSince(shownAt, 'attention maps, enlarged head, head view', (d) =>
    note('long tasks', d),
  );
  expect(tasks, 'main-thread tasks over 50 ms on the Attention tab').toEqual([]);
  await test.step('live attention: the scrubber shows the snapshot of an earlier step', async () => {
    await attention.snapshot.fill('0');
    await expect(attention.snapshotStep).toHaveAttribute('data-step', '1');
    await expect(attention.panel.getByText(/ at step 1\)/)).toBeVisible();
    await expect(attention.heatmap(2, 4)).toBeVisible();
  });

  await shell.page.screenshot({ path: testInfo.outputPath('attention.png'), fullPage: true });
});
