// Fine-tuning as a person does it, on the Classification tab: upload SST-2 slices (48 training and 24 dev
// rows), read the detected format, labels and the example as the model sees it; fine-tune a tiny model from
// scratch for one epoch and read the dev accuracy; pretrain the demo corpus for a few steps, then Compare and
// read the four rows beside the paper's numbers; the fine-tuned model's attention (with the extract token's
// row) on the Attention tab and its row in the Runs tab's fine-tuning table; a binary training file gives a readable error and the loaded
// file stays; after a reload the fine-tuning run and the comparison's variants are still listed, and Delete
// removes one for good. One page for the whole story (serial): SwiftShader trains slowly.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { configureTiny, runState, TRAINING_TIMEOUT, useDemoCorpus } from './pretrain-helpers.ts';

test.describe.configure({ mode: 'serial', timeout: 2 * TRAINING_TIMEOUT });

let page: Page;
let panel: Locator;
let dir: string;
const started = Date.now();
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** The header and the first `rows` examples of a shared SST-2 split, written to the test's temp folder. */
function sst2Slice(split: 'train' | 'dev', rows: number): string {
  const lines = readFileSync(resolve('../shared/data/classification/sst2', `${split}.tsv`), 'utf8').split('\n');
  const path = join(dir, `${split}.tsv`);
  writeFileSync(path, `${lines.slice(0, rows + 1).join('\n')}\n`);
  return path;
}

function note(label: string, description: string): void {
  test.info().annotations.push({ type: label, description });
  console.log(`${label}: ${description}`);
}

test.beforeAll(async ({ browser }) => {
  dir = mkdtempSync(join(tmpdir(), 'gpt1-lab-tasks-'));
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);
  await page.getByRole('tab', { name: 'Classification' }).click();
  panel = page.getByRole('tabpanel', { name: 'Classification' });
});

test.afterAll(async () => {
  await page?.close();
});

test('uploads SST-2 slices: detected format, label mapping and the example with its markers', async () => {
  await panel.getByLabel('Training file').setInputFiles(sst2Slice('train', 48));
  await panel.getByLabel('Dev file').setInputFiles(sst2Slice('dev', 24));

  const train = panel.getByRole('region', { name: 'Training data: train.tsv' });
  await expect(train).toContainText('GLUE SST-2 style: sentence, label');
  await expect(train).toContainText(/Examples\s*48/);
  const labels = train.getByRole('table', { name: 'Label mapping' });
  await expect(labels.getByRole('row')).toHaveCount(3);
  await expect(labels.getByRole('rowheader', { name: '0' })).toBeVisible();
  await expect(labels.getByRole('rowheader', { name: '1' })).toBeVisible();
  await expect(panel.getByRole('region', { name: 'Dev data: dev.tsv' })).toContainText(/Examples\s*24/);

  await panel.getByRole('radio', { name: 'From scratch' }).check();
  const preview = panel.getByRole('region', { name: 'Example as the model sees it' });
  await expect(preview).toContainText(/characters of train\.tsv/);
  const tokens = preview.getByTestId('preview-tokens').first();
  await expect(tokens).toContainText('[start token]');
  await expect(tokens).toContainText('[extract token]');
  await expect(tokens).toContainText(/h\s*i\s*d\s*e/);
  await expect(panel.getByText('As the model sees it')).toBeVisible();
});

test('fine-tunes a tiny model from scratch for one epoch and reports the dev accuracy', async () => {
  await panel.getByLabel('Model size').selectOption('tiny');
  await panel.getByLabel('Epochs').fill('1');
  await panel.getByLabel('Batch size').fill('16');
  await panel.getByLabel('Peak learning rate').fill('1e-3');
  await panel.getByLabel('Longest sequence').fill('32');
  const train = panel.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled();
  const t0 = Date.now();
  await train.click();

  const state = panel.getByRole('status', { name: /^Fine-tuning state:/ });
  await expect(state).toHaveText('done', { timeout: TRAINING_TIMEOUT });
  const metric = panel.getByRole('status', { name: 'Dev metric' });
  await expect(metric).toContainText(/Dev accuracy: \d+\.\d %/);
  await expect(panel.getByRole('progressbar', { name: 'Fine-tuning progress' })).toHaveAttribute('aria-valuenow', '3');
  await expect(panel.getByTestId('task-loss-classification-latest')).toHaveText(/L2 task \d/);
  note(
    'fine-tune from scratch (48 rows, 3 steps of 16 × 32, eval on 24)',
    `${seconds(t0)} s; ${await metric.textContent()}`,
  );
});

test('the Attention tab shows the fine-tuned model, its extract token row; the Runs tab lists the run', async () => {
  await page.getByRole('tab', { name: 'Attention' }).click();
  const attention = page.getByRole('tabpanel', { name: 'Attention' });
  const model = attention.getByLabel('Model', { exact: true });
  const option = model.locator('option', { hasText: 'Fine-tuned classification run' });
  await expect(option).toHaveCount(1);
  await model.selectOption((await option.getAttribute('value'))!);
  await attention.getByLabel('Text to inspect').fill('a fine film');
  const t0 = Date.now();
  await attention.getByRole('button', { name: 'Show attention' }).click();

  const first = attention.getByRole('button', { name: 'Layer 1, head 1 attention' });
  await expect(first).toBeVisible({ timeout: TRAINING_TIMEOUT });
  const lit = await first.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3]! > 0) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size;
  });
  expect(lit, 'distinct colours in the layer 1 head 1 heatmap').toBeGreaterThan(2);
  await expect(attention).toContainText(/fine-tuning run/);

  const extract = attention.getByRole('table', { name: 'Extract token attention, layers by heads' });
  await expect(extract).toBeVisible();
  const strip = extract.getByRole('img', { name: /^Layer 1, head 1: the extract token attends most to/ });
  await expect(strip).toBeVisible();
  const cells = await strip.evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  });
  expect(cells, 'painted pixels in the extract strip').toBeGreaterThan(0);
  await expect(attention.getByText(/^Tokens: /)).toBeVisible();
  note('fine-tuned attention (tiny, "a fine film")', `${seconds(t0)} s; ${await strip.getAttribute('aria-label')}`);

  await page.getByRole('tab', { name: 'Runs' }).click();
  const runs = page.getByRole('table', { name: 'Fine-tuning runs', exact: true });
  await expect(runs.getByRole('row')).toHaveCount(2);
  const row = runs.getByRole('row').nth(1);
  await expect(row).toContainText('Classification');
  await expect(row).toContainText('train.tsv');
  await expect(row).toContainText('from scratch');
  await expect(row).toContainText('3 / 3');
  await expect(row).toContainText(/accuracy \d+\.\d %/);
  await page.getByRole('tab', { name: 'Classification' }).click();
});

test('compares pretrained ± aux LM, scratch and transfer-n after a short pre-training', async () => {
  await page.getByRole('tab', { name: 'Pretrain' }).click();
  await useDemoCorpus(page);
  await configureTiny(page, { steps: 8, batch: 4, every: 4 });
  const t0 = Date.now();
  await page.getByRole('button', { name: /Start/ }).click();
  await expect(runState(page)).toHaveText('done', { timeout: TRAINING_TIMEOUT });
  note('pre-training (tiny, 8 steps of 4 × 64)', `${seconds(t0)} s`);

  await page.getByRole('tab', { name: 'Classification' }).click();
  await panel.getByRole('radio', { name: 'Current pretrained model' }).check();
  const preview = panel.getByRole('region', { name: 'Example as the model sees it' });
  await expect(preview).toContainText("the pretrained model's tokenizer");
  const compare = panel.getByRole('button', { name: 'Compare', exact: true });
  await expect(compare).toBeEnabled();
  const t1 = Date.now();
  await compare.click();
  const state = panel.getByRole('status', { name: /^Comparison state:/ });
  await expect(state).toHaveText('done', { timeout: 2 * TRAINING_TIMEOUT });

  const table = panel.getByRole('table', { name: 'Comparison' });
  await expect(table.getByRole('row')).toHaveCount(5);
  const rows = table.getByRole('row');
  await expect(rows.nth(1)).toContainText('Pretrained + aux LM');
  await expect(rows.nth(1)).toContainText('91.3');
  await expect(rows.nth(2)).toContainText('Pretrained, no aux LM');
  await expect(rows.nth(2)).toContainText('92.0');
  await expect(rows.nth(3)).toContainText('No pre-training');
  await expect(rows.nth(3)).toContainText('84.0');
  await expect(rows.nth(4)).toContainText(/First 1 blocks transferred/);
  await expect(panel.getByRole('img', { name: /^Comparison bar chart:/ })).toBeVisible();
  await expect(panel.getByText(/Detected dataset: SST-2/)).toBeVisible();
  await expect(panel.getByText(/will not reach them/)).toBeVisible();
  const cells = await rows.evaluateAll((trs) =>
    trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent).join(' · ')).join(' | '),
  );
  note('compare (4 variants × 3 steps)', `${seconds(t1)} s; ${cells}`);
  await page.screenshot({ path: test.info().outputPath('classification-compare.png'), fullPage: true });
});

test('the other task tabs read their formats: RTE pairs with a delimiter, COPA with one row per choice', async () => {
  const copaLines = readFileSync(resolve('../shared/data/multiple-choice/copa/train.jsonl'), 'utf8').split('\n');
  const cases = [
    { tab: 'Entailment', file: 'entailment/rte/train.tsv', name: 'rte-train.tsv', format: 'sentence pairs' },
    { tab: 'Multiple choice', file: 'multiple-choice/copa/train.jsonl', name: 'copa.jsonl', format: 'COPA JSONL' },
  ];
  for (const c of cases) {
    await page.getByRole('tab', { name: c.tab }).click();
    const tab = page.getByRole('tabpanel', { name: c.tab });
    const text = c.file.endsWith('.jsonl')
      ? copaLines.slice(0, 8).join('\n')
      : readFileSync(resolve('../shared/data', c.file), 'utf8').split('\n').slice(0, 9).join('\n');
    await tab
      .getByLabel('Training file')
      .setInputFiles({ name: c.name, mimeType: 'text/plain', buffer: Buffer.from(text) });
    await expect(tab.getByRole('region', { name: `Training data: ${c.name}` })).toContainText(c.format);
    const rows = tab.getByTestId('preview-tokens');
    await expect(rows.first()).toContainText('[delimiter token]');
    await expect(rows).toHaveCount(c.tab === 'Multiple choice' ? 2 : 1);
  }
  await expect(page.getByRole('tabpanel', { name: 'Multiple choice' })).toContainText('Right answers');
  await page.getByRole('tab', { name: 'Classification' }).click();
});

test('a CSV with its own columns asks for a mapping; an unknown label names its line', async () => {
  const csv = 'id,review,stars\n1,"great, really",1\n2,awful,0\n3,meh,2\n';
  await panel
    .getByLabel('Dev file')
    .setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const form = panel.getByRole('form', { name: /reviews\.csv: its columns \(id, review, stars\)/ });
  await expect(form.getByLabel('Text column')).toHaveValue('review');
  await form.getByLabel('Label column').selectOption('stars');
  await form.getByRole('button', { name: 'Read reviews.csv with this mapping' }).click();
  const error = panel.getByRole('alert').filter({ hasText: 'reviews.csv' });
  await expect(error).toContainText('reviews.csv, line 4: label "2" is not one of the training labels ("0", "1")');
  await expect(error).toContainText('dev.tsv is still loaded');
  await expect(panel.getByRole('region', { name: 'Dev data: dev.tsv' })).toContainText(/Examples\s*24/);
});

test('a binary training file gives a readable error, and the loaded file stays', async () => {
  const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x08, 0x00]);
  await panel
    .getByLabel('Training file')
    .setInputFiles({ name: 'model.zip', mimeType: 'application/zip', buffer: bytes });
  const error = panel.getByRole('alert').filter({ hasText: 'model.zip' });
  await expect(error).toContainText('model.zip, line 2: looks binary (a NUL byte at byte 5)');
  await expect(error).toContainText('train.tsv is still loaded');
  await expect(panel.getByLabel('Training file')).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByRole('region', { name: 'Training data: train.tsv' })).toContainText(/Examples\s*48/);
  await expect(panel.getByLabel('Training file')).toHaveAccessibleDescription(/looks binary/);
});

test('after a reload the Runs tab still lists the fine-tuning run and the comparison variants; Delete removes one', async () => {
  await page.getByRole('tab', { name: 'Runs' }).click();
  const runs = page.getByRole('table', { name: 'Fine-tuning runs', exact: true });
  const names = await runs.getByRole('rowheader').allTextContents();
  const runId = names.find((n) => !n.includes('·'))!;
  expect(names, 'the fine-tuning run and the four comparison variants').toHaveLength(5);

  await page.reload();
  await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(runs.getByRole('row')).toHaveCount(6);
  const row = runs.getByRole('row').filter({ has: page.getByRole('rowheader', { name: runId, exact: true }) });
  await expect(row).toContainText('Classification');
  await expect(row).toContainText('train.tsv / dev.tsv');
  await expect(row).toContainText('from scratch');
  await expect(row).toContainText('3 / 3');
  await expect(row).toContainText(/accuracy \d+\.\d %/);
  await expect(runs.getByRole('rowheader', { name: /· Pretrained \+ aux LM$/ })).toHaveCount(1);
  await expect(page.getByText(/Fine-tuned weights are not kept/)).toBeVisible();

  await row.getByRole('button', { name: `Curves of ${runId}` }).click();
  await expect(page.getByRole('figure', { name: `${runId}: L1 / L2 / L3 chart` })).toBeVisible();
  await expect(page.getByRole('figure', { name: `${runId}: dev metric (%) chart` })).toBeVisible();

  await row.getByRole('button', { name: `Delete fine-tuning run ${runId}` }).click();
  await row.getByRole('button', { name: `Really delete ${runId}?` }).click();
  await expect(runs.getByRole('row')).toHaveCount(5);
  await page.reload();
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(runs.getByRole('row')).toHaveCount(5);
  await expect(runs.getByRole('rowheader', { name: runId, exact: true })).toHaveCount(0);
  note('whole spec', `${seconds(started)} s`);
});
