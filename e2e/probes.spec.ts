// Zero-shot probes as a person uses them on the Pretrain tab: a probe file read as a probe set beside a bad
// one named by its line (and removed); a short run whose probe chart (the built-in sets and the file) fills
// at step 0, every 2 steps and at the end, with the chance line's scale, the log step axis (step 0 still
// read as 0), hover values and CSV; and the run's latest probe scores and curves in the Runs tab, while the
// main thread stays free. (Probes coming back after a reload: pretrain.spec.ts.)
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { dataValue } from './pages/read.ts';

test.describe.configure({ timeout: 2 * TRAINING_TIMEOUT });

const winograd = (sentence: string, answer: number) =>
  JSON.stringify({ sentence, candidates: ['Ada', 'the lamp'], answer });
const GOOD = [
  winograd('Ada looked at the lamp because _ was curious.', 0),
  winograd('Ada looked at the lamp until _ was repaired.', 1),
  winograd('Ada painted the lamp because _ was proud.', 0),
].join('\n');
const BAD = `${winograd('Ada saw the lamp so _ was glad.', 0)}\n{"sentence": oops}\n`;
const jsonl = (name: string, text: string) => ({ name, mimeType: 'application/jsonl', buffer: Buffer.from(text) });

/** The probe sets' series, as the chart caption's attributes name them. */
const SERIES = ['built-in-sentiment', 'built-in-acceptability', 'built-in-multiple-choice', 'built-in-winograd'];

test('probe files, and the zero-shot probe chart of a short run in the Pretrain and Runs tabs', async ({
  shell,
  pretrain,
  runs,
  note,
}) => {
  await test.step('a probe file read as a Winograd set; a bad one named by its line, then removed', async () => {
    await pretrain.probeFileInput.setInputFiles([jsonl('mine.jsonl', GOOD), jsonl('bad.jsonl', BAD)]);
    await expect(pretrain.probeFile('mine.jsonl')).toContainText('Winograd probe');
    await expect(pretrain.probeFile('mine.jsonl')).toContainText('3 items');
    await expect(pretrain.probeFile('bad.jsonl')).toContainText('bad.jsonl, line 2: is not JSON');
    await pretrain.probeFile('bad.jsonl').getByRole('button', { name: 'Remove probe file bad.jsonl' }).click();
    await expect(pretrain.probeFiles.getByRole('listitem')).toHaveCount(1);
    await expect(pretrain.builtinProbes).toBeChecked();
    await expect(pretrain.panel.getByText('The next run scores 5 probe sets')).toBeVisible();
  });

  let startedAt = 0;
  await test.step('a 4-step run scores the built-in sets and the file at steps 0, 2 and 4', async () => {
    const t0 = Date.now();
    await pretrain.startDemo({ steps: 4, probeEvery: 2 });
    startedAt = await shell.now();
    await expect(pretrain.state).toHaveText('done', { timeout: TRAINING_TIMEOUT });
    await expect(pretrain.probeLatest).toHaveAttribute('data-step', '4');
    for (const series of [...SERIES, 'mine-jsonl']) {
      const value = Number(await pretrain.probeLatest.getAttribute(`data-latest-${series}`));
      expect(value, series).toBeGreaterThanOrEqual(-1);
      expect(value, series).toBeLessThanOrEqual(1);
    }
    note('4 steps with 3 probe rounds (tiny, batch 4)', `${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  await test.step('no main-thread task over 50 ms while it trained and probed', async () => {
    const tasks = await shell.longTasksSince(startedAt, 'training with probe rounds', (d) => note('long tasks', d));
    expect(tasks, 'main-thread tasks over 50 ms while training with probes').toEqual([]);
  });

  await test.step('log steps: step 0 is drawn at step 1 and still read as step 0', async () => {
    await pretrain.probeChart.getByRole('checkbox', { name: 'Zero-shot probes: log steps' }).check();
    const plot = pretrain.probeChart.locator('.u-over');
    const box = (await plot.boundingBox())!;
    await plot.hover({ position: { x: 2, y: box.height / 2 } });
    const legend = pretrain.probeChart.locator('.u-legend .u-series').first().locator('.u-value');
    await expect(legend).toHaveText('0');
    await plot.hover({ position: { x: box.width - 2, y: box.height / 2 } });
    await expect(legend).toHaveText('4');
  });

  await test.step('CSV: a row per round, a column per probe set', async () => {
    const download = shell.page.waitForEvent('download');
    await pretrain.probeChart.getByRole('button', { name: 'Download Zero-shot probes as CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('probes.csv');
    const lines = readFileSync((await file.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'step,built-in sentiment,built-in acceptability,built-in multiple choice,built-in Winograd,mine.jsonl',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['0', '2', '4']);
    for (const line of lines.slice(1)) for (const v of line.split(',').slice(1)) expect(Number.isFinite(+v)).toBe(true);
  });

  await test.step('the Runs tab: the latest round per run, a column per probe set, and its curves', async () => {
    const runId = await pretrain.runId();
    const latest = Number(await pretrain.probeLatest.getAttribute('data-latest-mine-jsonl'));
    await runs.open();
    const row = runs.row(runs.probeRuns, runId);
    await expect(await runs.cell(runs.probeRuns, row, 'Step')).toHaveAttribute('data-value', '4');
    const mine = await dataValue(await runs.cell(runs.probeRuns, row, 'mine.jsonl'));
    expect(mine).toBe(latest);
    await row.getByRole('button', { name: `Probe curves of ${runId}` }).click();
    const curves = runs.panel.getByRole('figure', { name: `${runId}: zero-shot probes chart` });
    await expect(curves.getByTestId(`probes-${runId}-latest`)).toHaveAttribute('data-step', '4');
  });
});
