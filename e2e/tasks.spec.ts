// Fine-tuning as a person does it on the task tabs, one story per test, each on its own page: SST-2 slices
// (48 training and 24 dev rows) read with their format, labels and the example as the model sees it; a tiny
// model fine-tuned from scratch, its dev accuracy, its attention with the extract token's row, and its row in
// the Runs tab, kept across a reload until deleted; the paper's comparison after a short pre-training, its
// variants kept too; the other tabs' formats; a CSV that needs a column mapping; a binary file refused.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, secondsSince, test } from './fixtures.ts';
import { distinctColours, paintedPixels } from './pages/attention-page.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { dataValue } from './pages/read.ts';
import { sst2Slice, type TasksPage } from './pages/tasks-page.ts';

test.describe.configure({ timeout: 3 * TRAINING_TIMEOUT });

/**
 * Loads 48 training and 24 dev rows of SST-2 into the Classification tab, as `${prefix}train.tsv` and
 * `${prefix}dev.tsv` (a prefix such as "sst2-" names the dataset; plain train.tsv names none).
 */
async function loadSst2(tab: TasksPage, which: ('train' | 'dev')[] = ['train', 'dev'], prefix = ''): Promise<void> {
  await tab.open();
  const rows = { train: 48, dev: 24 };
  for (const split of which) {
    const name = `${prefix}${split}.tsv`;
    const file = sst2Slice(split, rows[split], test.info().outputPath(name));
    await (split === 'train' ? tab.trainFile : tab.devFile).setInputFiles(file);
    const summary = tab.fileSummary(split === 'train' ? 'Training data' : 'Dev data', name);
    await expect(tab.examples(summary)).toHaveAttribute('data-value', String(rows[split]));
  }
}

test('reads SST-2 slices: the detected format, the label mapping and the example with its markers', async ({
  classification: tab,
}) => {
  await loadSst2(tab);
  const train = tab.fileSummary('Training data', 'train.tsv');
  await expect(train).toContainText('single sentences: sentence, label');
  // SST-2's columns, but 48 rows named train.tsv are not recognisably SST-2: no paper numbers beside them.
  await expect(tab.panel.getByText(/^No paper numbers: train\.tsv has the columns of its format/)).toBeVisible();
  const labels = train.getByRole('table', { name: 'Label mapping' });
  await expect(labels.getByRole('row')).toHaveCount(3);
  await expect(labels.getByRole('rowheader', { name: '0' })).toBeVisible();
  await expect(labels.getByRole('rowheader', { name: '1' })).toBeVisible();

  await tab.startFrom('From scratch');
  await expect(tab.preview).toContainText(/characters of train\.tsv/);
  const tokens = tab.previewRows.first();
  await expect(tokens).toContainText('[start token]');
  await expect(tokens).toContainText('[extract token]');
  await expect(tokens).toContainText(/h\s*i\s*d\s*e/);
  await expect(tab.preview.getByRole('heading', { name: 'As the model sees it' })).toBeVisible();
});

test('fine-tunes a tiny model from scratch: dev accuracy, its attention, and its row in the Runs tab until deleted', async ({
  shell,
  classification: tab,
  attention,
  runs,
  note,
}) => {
  await loadSst2(tab);
  let runId = '';

  await test.step('one epoch from scratch: the dev accuracy and the curves', async () => {
    await tab.fastScratchSettings();
    const t0 = Date.now();
    await tab.finetune();
    runId = await tab.finetuneRunId();
    await expect(tab.devMetric).toContainText(/Dev accuracy: \d+\.\d %/);
    const accuracy = await dataValue(tab.devMetric.getByRole('strong'));
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    await expect(tab.finetuneProgress).toHaveAttribute('aria-valuenow', '3');
    await expect(tab.lossLatest).toHaveAttribute('data-latest-l2-task', /\d/);
    note('fine-tune from scratch (48 rows, 3 steps of 16 × 32, eval on 24)', `${secondsSince(t0)} s; ${accuracy}`);
  });

  await test.step('the Attention tab shows the fine-tuned model with the extract token row', async () => {
    await attention.open();
    await attention.useFinetuned('classification');
    const t0 = Date.now();
    await attention.inspect('a fine film');
    const colours = await distinctColours(attention.heatmap(1, 1).locator('canvas'));
    expect(colours, 'distinct colours in the layer 1 head 1 heatmap').toBeGreaterThan(2);
    await expect(attention.panel).toContainText(/fine-tuned model/);
    const strip = attention.extractStrip(1, 1);
    await expect(strip).toBeVisible();
    expect(await paintedPixels(strip), 'painted pixels in the extract strip').toBeGreaterThan(0);
    await expect(attention.panel.getByText(/^Tokens: /)).toBeVisible();
    note(
      'fine-tuned attention (tiny, "a fine film")',
      `${secondsSince(t0)} s; ${await strip.getAttribute('aria-label')}`,
    );
  });

  const table = runs.finetuneRuns;
  const row = runs.row(table, runId);
  const checkRow = async () => {
    await expect(await runs.cell(table, row, 'Task')).toHaveText('Classification');
    await expect(await runs.cell(table, row, 'Dataset')).toHaveText('train.tsv / dev.tsv');
    await expect(await runs.cell(table, row, 'Init')).toHaveText('from scratch');
    await expect(await runs.cell(table, row, 'Steps')).toHaveAttribute('data-value', '3');
    await expect(await runs.cell(table, row, 'Dev metric')).toContainText(/^accuracy \d+\.\d %/);
  };

  await test.step('the Runs tab lists it, and keeps it across a reload', async () => {
    await runs.open();
    await expect(table.getByRole('row')).toHaveCount(2);
    await checkRow();
    await shell.reload();
    await runs.open();
    await expect(table.getByRole('row')).toHaveCount(2);
    await checkRow();
    await expect(runs.panel.getByText(/weights are kept apart, under Kept fine-tuned models/)).toBeVisible();
  });

  await test.step('its curves, then Delete removes it for good', async () => {
    await row.getByRole('button', { name: `Curves of ${runId}` }).click();
    await expect(runs.panel.getByRole('figure', { name: `${runId}: L1 / L2 / L3 chart` })).toBeVisible();
    await expect(runs.panel.getByRole('figure', { name: `${runId}: dev metric (%) chart` })).toBeVisible();
    await row.getByRole('button', { name: `Delete fine-tuning run ${runId}` }).click();
    await row.getByRole('button', { name: `Really delete ${runId}?` }).click();
    await expect(row).toHaveCount(0);
    await shell.reload();
    await runs.open();
    await expect(runs.panel.getByRole('heading', { name: 'Runs' })).toBeVisible();
    await expect(table.getByRole('rowheader', { name: runId, exact: true })).toHaveCount(0);
  });
});

test('compares pretrained ± aux LM, scratch and transfer-n after a short pre-training; the variants are kept', async ({
  shell,
  pretrain,
  classification: tab,
  runs,
  note,
}, testInfo) => {
  const t0 = Date.now();
  await pretrain.trainDemo({ steps: 2 });
  note('pre-training (tiny, 2 steps of 4 × 64)', `${secondsSince(t0)} s`);
  await loadSst2(tab, ['train', 'dev'], 'sst2-');
  await tab.startFrom('Current pretrained model');
  await expect(tab.preview).toContainText("the pretrained model's tokenizer");
  await tab.shortSchedule();

  await test.step('Compare runs the four variants', async () => {
    const t1 = Date.now();
    await tab.compareSettings('table5', 1);
    await expect(tab.compare).toBeEnabled();
    await tab.compare.click();
    await expect(tab.compareState).toHaveText('done', { timeout: 2 * TRAINING_TIMEOUT });
    note('compare (4 variants × 3 steps)', `${secondsSince(t1)} s`);
  });

  await test.step('the table and bars, beside the paper', async () => {
    const rows = tab.compareTable.getByRole('row');
    await expect(rows).toHaveCount(5);
    const variants = ['Pretrained + aux LM', 'Pretrained, no aux LM', 'No pre-training', 'First 1 blocks transferred'];
    const paper = [91.3, 92.0, 84.0, undefined]; // Table 5, SST-2
    for (const [i, variant] of variants.entries()) {
      const row = runs.row(tab.compareTable, variant);
      await expect(row).toHaveCount(1);
      await expect(rows.nth(i + 1)).toContainText(variant);
      const reported = await runs.cell(tab.compareTable, row, 'Paper (SST-2)');
      if (paper[i] === undefined) await expect(reported).not.toHaveAttribute('data-value');
      else expect(await dataValue(reported)).toBe(paper[i]);
      const ours = await dataValue(await runs.cell(tab.compareTable, row, 'Dev accuracy'));
      expect(ours).toBeGreaterThanOrEqual(0);
    }
    await expect(tab.panel.getByRole('img', { name: /^Comparison bar chart:/ })).toBeVisible();
    await expect(
      tab.panel.getByText(/^Dataset: SST-2, recognised because its file name, sst2-train\.tsv, names it\./),
    ).toBeVisible();
    await expect(tab.panel.getByText(/will not reach them/)).toBeVisible();
    // One seed: the verdict says the order may be noise (or that every row is at chance), not to read it.
    const verdict = tab.panel.getByRole('note', { name: 'Verdict' });
    await expect(verdict).toContainText(/^Paper recipe: (One seed per row|Every row is at chance)/);
    await expect(verdict).toContainText('What would change it: more epochs');
    await expect(tab.panel.getByText(/read the verdict above before the order of the rows/)).toBeVisible();
    await shell.page.screenshot({ path: testInfo.outputPath('classification-compare.png'), fullPage: true });
  });

  await test.step('the layers-transferred sweep of the 2-layer model: n = 0, 1, 2 on a line chart', async () => {
    const t2 = Date.now();
    await tab.compareSettings('layers', 1);
    await tab.compare.click();
    await expect(tab.compareState).toHaveText('done', { timeout: 2 * TRAINING_TIMEOUT });
    note('layers sweep (3 rows × 3 steps)', `${secondsSince(t2)} s`);
    await expect(tab.compareTable.getByRole('row')).toHaveCount(4);
    for (const n of [0, 1, 2]) {
      await expect(runs.row(tab.compareTable, `First ${n} blocks transferred`)).toHaveCount(1);
    }
    const chart = tab.panel.getByRole('img', { name: /^Layers transferred chart/ });
    await expect(chart).toHaveAttribute('aria-label', /: 0 layers: [\d.]+ %; 1 layers: [\d.]+ %; 2 layers: [\d.]+ %$/);
    await expect(chart.locator('.ours-point')).toHaveCount(3);
    await expect(tab.panel.getByText(/only the ends are drawn, at n = 0 and n = L/)).toBeVisible();
    await chart.screenshot({ path: testInfo.outputPath('classification-layers.png') });
  });

  await test.step('the Runs tab keeps the variants and the sweep across a reload', async () => {
    await shell.reload();
    await runs.open();
    await expect(runs.finetuneRuns.getByRole('row')).toHaveCount(8);
    await expect(runs.finetuneRuns.getByRole('rowheader', { name: /· Pretrained \+ aux LM$/ })).toHaveCount(1);
  });

  await test.step('1440 px wide, the fine-tuning table shows every column; narrower, it scrolls by keyboard', async () => {
    const page = shell.page;
    const header = (name: string) => runs.finetuneRuns.getByRole('columnheader', { name, exact: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await header('Run').scrollIntoViewIfNeeded(); // the first column: scrolls the page, not the table
    for (const column of ['Dev metric', 'Kept']) await expect(header(column)).toBeInViewport({ ratio: 1 });
    await expect(runs.finetuneScrollHint).toBeHidden();

    await page.setViewportSize({ width: 720, height: 900 });
    await header('Run').scrollIntoViewIfNeeded();
    await expect(runs.finetuneScrollHint).toBeVisible();
    await expect(header('Dev metric')).not.toBeInViewport({ ratio: 1 });
    await runs.finetuneScroll.focus();
    await expect(async () => {
      await page.keyboard.press('ArrowRight');
      await expect(header('Dev metric')).toBeInViewport({ ratio: 1, timeout: 250 });
    }).toPass({ timeout: 20_000 });
    await page.setViewportSize({ width: 1400, height: 1000 });
  });
});

test('the other task tabs read their formats: RTE pairs with a delimiter, COPA with one row per choice', async ({
  shell,
}) => {
  const copaLines = readFileSync(resolve('../shared/data/multiple-choice/copa/train.jsonl'), 'utf8').split('\n');
  const rteLines = readFileSync(resolve('../shared/data/entailment/rte/train.tsv'), 'utf8').split('\n');
  const cases = [
    { tab: 'Entailment', name: 'rte-train.tsv', text: rteLines.slice(0, 9), format: 'sentence pairs', rows: 1 },
    { tab: 'Multiple choice', name: 'copa.jsonl', text: copaLines.slice(0, 8), format: 'COPA JSONL', rows: 2 },
  ] as const;
  for (const c of cases) {
    await test.step(c.tab, async () => {
      const panel = await shell.show(c.tab);
      await panel
        .getByLabel('Training file')
        .setInputFiles({ name: c.name, mimeType: 'text/plain', buffer: Buffer.from(c.text.join('\n')) });
      await expect(panel.getByRole('region', { name: `Training data: ${c.name}` })).toContainText(c.format);
      const rows = panel.getByRole('region', { name: 'Example as the model sees it' }).getByRole('figure');
      await expect(rows.first()).toContainText('[delimiter token]');
      await expect(rows).toHaveCount(c.rows);
    });
  }
  await expect(shell.panel('Multiple choice')).toContainText('Right answers');
});

test('a CSV with its own columns asks for a mapping; an unknown label names its line', async ({
  classification: tab,
}) => {
  await loadSst2(tab);
  const csv = 'id,review,stars\n1,"great, really",1\n2,awful,0\n3,meh,2\n';
  await tab.devFile.setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const form = tab.panel.getByRole('form', { name: /reviews\.csv: its columns \(id, review, stars\)/ });
  await expect(form.getByLabel('Text column')).toHaveValue('review');
  await form.getByLabel('Label column').selectOption('stars');
  await form.getByRole('button', { name: 'Read reviews.csv with this mapping' }).click();
  const error = tab.fileError('reviews.csv');
  await expect(error).toContainText('reviews.csv, line 4: label "2" is not one of the training labels ("0", "1")');
  await expect(error).toContainText('dev.tsv is still loaded');
  await expect(tab.examples(tab.fileSummary('Dev data', 'dev.tsv'))).toHaveAttribute('data-value', '24');
});

test('a binary training file gives a readable error, and the loaded file stays', async ({ classification: tab }) => {
  await loadSst2(tab, ['train']);
  const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x08, 0x00]);
  await tab.trainFile.setInputFiles({ name: 'model.zip', mimeType: 'application/zip', buffer: bytes });
  const error = tab.fileError('model.zip');
  await expect(error).toContainText('model.zip, line 2: looks binary (a NUL byte at byte 5)');
  await expect(error).toContainText('train.tsv is still loaded');
  await expect(tab.trainFile).toHaveAttribute('aria-invalid', 'true');
  await expect(tab.trainFile).toHaveAccessibleDescription(/looks binary/);
  await expect(tab.examples(tab.fileSummary('Training data', 'train.tsv'))).toHaveAttribute('data-value', '48');
});
