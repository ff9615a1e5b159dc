// Pre-training as a person does it: drop tiny shakespeare → tiny preset → Start; the loss chart fills and samples
// appear; pause, step once, resume; the attention tab shows heatmaps; stop. One page for the whole story
// (serial), because training on SwiftShader is slow. Also: the main thread stays free (no long tasks).
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import {
  configureTiny,
  dropCorpusFile,
  longTasksSince,
  observeLongTasks,
  pageNow,
  runState,
  TINY_SHAKESPEARE,
  TRAINING_TIMEOUT,
} from './pretrain-helpers.ts';

test.describe.configure({ mode: 'serial', timeout: 2 * TRAINING_TIMEOUT });

let page: Page;
/** performance.now() in the page when Start was pressed: long tasks are counted from there. */
let trainingStartedAt = 0;

async function reportLongTasks(label: string): Promise<{ start: number; duration: number }[]> {
  const tasks = await longTasksSince(page, trainingStartedAt);
  const longest = Math.max(0, ...tasks.map((t) => t.duration));
  const seconds = ((await pageNow(page)) - trainingStartedAt) / 1000;
  const description =
    `${tasks.length} long tasks in ${seconds.toFixed(1)} s since Start (${label}); ` +
    `longest ${longest.toFixed(0)} ms`;
  test.info().annotations.push({ type: 'long tasks', description });
  console.log(description);
  return tasks;
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await observeLongTasks(page);
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);
});

test.afterAll(async () => {
  await page?.close();
});

test('drops tiny shakespeare and shows corpus and tokenizer stats', async () => {
  await dropCorpusFile(page, TINY_SHAKESPEARE);
  await expect(page.getByRole('definition').filter({ hasText: 'tinyshakespeare.txt' })).toBeVisible();
  await expect(page.getByLabel('Corpus statistics').getByText('1,115,394')).toBeVisible(); // characters
  await expect(page.getByText('Distinct characters', { exact: true })).toBeVisible();
  await expect(page.getByText(/Sample line in \d+ tokens/)).toBeAttached();
  await expect(page.locator('[data-field="parameters"]')).toHaveText(/\d/);
  await expect(page.locator('[data-field="planned-memory"]')).toHaveText(/\d+(\.\d+)? (B|KiB|MiB|GiB)/);
});

test('trains the tiny preset: loss chart gets data, samples appear, the main thread stays free', async () => {
  await configureTiny(page, { steps: 400, batch: 4, every: 8 });
  trainingStartedAt = await pageNow(page);
  await page.getByRole('button', { name: /Start/ }).click();
  await expect(runState(page)).toHaveText('running', { timeout: TRAINING_TIMEOUT });

  const loss = page.getByRole('figure', { name: 'Loss chart' });
  await expect(loss.getByTestId('loss-latest')).toHaveText(/train \d+(\.\d+)?.* @ \d+/, { timeout: TRAINING_TIMEOUT });
  await expect(page.getByRole('progressbar', { name: 'Training progress' })).toHaveAttribute('aria-valuenow', /[1-9]/);
  await expect(page).toHaveTitle(/step \d+\/400/);

  const samples = page.getByRole('list', { name: 'Samples by step, newest first' });
  await expect(samples.getByRole('listitem').first()).toContainText(/step \d+/, { timeout: TRAINING_TIMEOUT });
  await expect(loss.getByTestId('loss-latest')).toHaveText(/val \d/, { timeout: TRAINING_TIMEOUT });

  const tasks = await reportLongTasks('training, charts and samples');
  expect(tasks, 'main-thread tasks over 50 ms while training').toEqual([]);
});

test('pauses at a step boundary, steps once, and resumes', async () => {
  await page.getByRole('button', { name: /Pause/ }).click();
  await expect(runState(page)).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
  const step = page.locator('[data-field="step"]');
  const before = Number((await step.textContent())?.split('/')[0]?.replace(/,/g, ''));

  await page.getByRole('button', { name: /Step once/ }).click();
  await expect(async () => {
    const after = Number((await step.textContent())?.split('/')[0]?.replace(/,/g, ''));
    expect(after).toBe(before + 1);
  }).toPass({ timeout: TRAINING_TIMEOUT });
  await expect(runState(page)).toHaveText('paused');

  await page.getByRole('button', { name: /Resume/ }).click();
  await expect(runState(page)).toHaveText('running');
});

test('keyboard: Space pauses and resumes, ? opens the shortcut help', async () => {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Space');
  await expect(runState(page)).toHaveText(/pausing|paused/);
  await expect(runState(page)).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
  await page.keyboard.press('Space');
  await expect(runState(page)).toHaveText('running');

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Step once');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('generates text from the current weights, streamed into the output', async () => {
  await page.getByLabel('Prompt', { exact: true }).fill('The ');
  await page.getByLabel('Max tokens').fill('24');
  await page.getByLabel('Temperature').fill('0.8');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const output = page.getByRole('status', { name: 'Generated text' });
  await expect(output).toContainText(/^The .{3,}/, { timeout: TRAINING_TIMEOUT });
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled({ timeout: TRAINING_TIMEOUT });
});

test('the attention tab shows non-empty heatmaps for the current run', async () => {
  await page.getByRole('tab', { name: 'Attention' }).click();
  await page.getByLabel('Text to inspect').fill('The model reads this line.');
  await page.getByRole('button', { name: 'Show attention' }).click();

  const first = page.getByRole('button', { name: 'Layer 1, head 1 attention' });
  await expect(first).toBeVisible({ timeout: TRAINING_TIMEOUT });
  await expect(page.getByRole('button', { name: 'Layer 2, head 4 attention' })).toBeVisible();

  const lit = await first.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3]! > 0) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size;
  });
  expect(lit, 'distinct colours in the layer 1 head 1 heatmap').toBeGreaterThan(2);

  await page.getByRole('button', { name: 'Layer 2, head 3 attention' }).click();
  const enlarged = page.getByRole('img', { name: 'Layer 2, head 3 attention, enlarged' });
  await expect(enlarged).toBeVisible();
  await enlarged.scrollIntoViewIfNeeded(); // the mouse only reaches what is inside the viewport
  const box = (await enlarged.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.9);
  await expect(page.locator('#head-readout')).toHaveText(/query \d+\) → .* \(key \d+\): \d\.\d{4}/);

  await page.getByRole('button', { name: /^Attention from token 3:/ }).hover();
  await expect(page.getByRole('img', { name: /head view/ })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('attention.png'), fullPage: true });
});

test('the runs tab lists the run with its loss', async () => {
  await page.getByRole('tab', { name: 'Runs' }).click();
  const table = page.getByRole('table', { name: 'Runs' });
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').nth(1)).toContainText(/tiny-/);
  await expect(table.getByRole('row').nth(1)).toContainText(/\d\.\d{4}/);
  await expect(page.getByRole('figure', { name: 'Train loss by run chart' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('runs.png'), fullPage: true });
});

test('stops the run', async () => {
  await page.getByRole('tab', { name: 'Pretrain' }).click();
  const tasks = await reportLongTasks('training, pause/step/resume, attention, runs tab');
  expect(tasks, 'main-thread tasks over 50 ms during the whole session').toEqual([]);
  // The screenshot for the docs: by now the charts hold a minute of training and several samples.
  await expect(page.getByTestId('loss-latest')).toHaveText(/train \d/);
  await page.screenshot({ path: test.info().outputPath('pretrain.png'), fullPage: true });
  await page.getByRole('button', { name: /Stop/ }).click();
  await expect(runState(page)).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
  await expect(page.getByRole('button', { name: /Start/ })).toBeEnabled();
  await expect(page.getByRole('button', { name: /Pause/ })).toBeDisabled();
  await expect(page).toHaveTitle(/■/);
});

test('exports the stopped run as a Hugging Face folder (.zip)', async () => {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export Hugging Face folder (.zip)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^tiny-\w+-step\d+-openai-gpt\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync((await file.path())!)));
  expect(Object.keys(files).sort()).toEqual([
    'README.md',
    'config.json',
    'model.safetensors',
    'optimizer.safetensors',
    'training_state.json',
  ]);
  const config = JSON.parse(new TextDecoder().decode(files['config.json']));
  expect(config).toMatchObject({ model_type: 'openai-gpt', n_layer: 2, n_embd: 64, n_head: 4 });
});

test('after a reload, offers to resume the saved run where it stopped', async () => {
  const runId = (await page.locator('.run-id').textContent())?.match(/tiny-\w+/)?.[0];
  expect(runId).toBeTruthy();
  await page.reload();
  await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);
  await page.getByRole('button', { name: 'Show saved runs' }).click();
  const resume = page.getByRole('button', { name: new RegExp(`^Resume run ${runId} at step \\d+$`) });
  await expect(resume).toBeVisible();
  await resume.click();
  await page.getByRole('tab', { name: 'Pretrain' }).click();
  await expect(runState(page)).toHaveText('running', { timeout: TRAINING_TIMEOUT });
  // The saved history comes back with the run, so the chart is not empty.
  await expect(page.getByTestId('loss-latest')).toHaveText(/train \d/);
  await expect(page.getByLabel('Corpus statistics').getByText('tinyshakespeare.txt')).toBeVisible(); // the corpus came back too
  await page.getByRole('button', { name: /Stop/ }).click();
  await expect(runState(page)).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
});
