// Two tabs of the app in one browser (same origin: same OPFS, same Web Locks). While the first tab trains a
// run, the second sees it among the saved runs but can neither resume it nor delete its folder: each refusal
// says the run is in use in another tab and what to do, the folder stays, and the first tab trains on. Once
// the first tab stops the run, the second can delete it.
import { expect, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { RunsPage } from './pages/runs-page.ts';
import { ShellPage } from './pages/shell-page.ts';

test.describe.configure({ timeout: 2 * TRAINING_TIMEOUT });

test('a second tab cannot resume or delete the run the first tab trains, and says why', async ({
  context,
  pretrain,
}) => {
  let runId = '';
  await test.step('the first tab trains a run, with a checkpoint saved on a pause', async () => {
    await pretrain.startDemo({ steps: 400 });
    runId = await pretrain.runId();
    await pretrain.pauseResume.click();
    await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
    await expect(pretrain.runFigure('Checkpoint')).toContainText(/^step \d+/);
    await pretrain.pauseResume.click();
    await expect(pretrain.state).toHaveText('running');
  });

  const second = await new ShellPage(await context.newPage()).open();
  const secondRuns = new RunsPage(second);
  const inUse = `Run ${runId} is training (or paused) in another tab of gpt1-lab.`;

  await test.step('the second tab lists it, but Resume is refused with the reason', async () => {
    await secondRuns.open();
    await secondRuns.resumeSaved(runId).click();
    await expect(second.alerts.filter({ hasText: inUse })).toContainText(
      'Only one tab can train a run: stop it there first.',
    );
    const row = secondRuns.row(secondRuns.runs, runId); // this tab's attempt, which never started
    await expect(await secondRuns.cell(secondRuns.runs, row, 'State')).toHaveText('error');
  });

  await test.step('and Delete is refused with the reason; the run stays saved', async () => {
    await secondRuns.deleteSaved(runId);
    await expect(second.alerts.filter({ hasText: 'Stop it there before deleting it.' })).toContainText(inUse);
    await expect(secondRuns.resumeSaved(runId)).toBeVisible();
  });

  await test.step('the first tab trains on, untouched', async () => {
    const before = await pretrain.step();
    await expect.poll(() => pretrain.step(), { timeout: TRAINING_TIMEOUT }).toBeGreaterThan(before);
    await expect(pretrain.state).toHaveText('running');
    await expect(pretrain.shell.alerts).toHaveCount(0);
  });

  await test.step('stopped in the first tab, the run is the second tab’s to delete', async () => {
    await pretrain.stop.click();
    await expect(pretrain.state).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
    await secondRuns.deleteSaved(runId);
    await expect(secondRuns.savedRun(runId)).toHaveCount(0);
  });
});
