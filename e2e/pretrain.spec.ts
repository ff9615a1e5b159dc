// Pre-training as a person does it, one story per test, each on its own page: a corpus and what the
// tokenizer and the memory plan make of it; a run that fills its progress, charts and samples while the main
// thread stays free, and stops; pause, step once and resume by buttons and keys; text generated from a
// trained model; its export as a Hugging Face folder; a stopped run resumed after a reload, its charts (the
// zero-shot probe rounds too) back. The tests that only need a model or a running run get it from the demo
// corpus in a few steps (pretrain.trainDemo).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { expect, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';
import { dataValue } from './pages/read.ts';

test.describe.configure({ timeout: 2 * TRAINING_TIMEOUT });

/** ../shared/data/pretrain/tinyshakespeare.txt, resolved from the repository root (Playwright's cwd). */
const TINY_SHAKESPEARE = resolve('../shared/data/pretrain/tinyshakespeare.txt');

test('tiny shakespeare: the corpus, the tokenizer and the planned model, in figures', async ({ pretrain }) => {
  await pretrain.dropCorpus(TINY_SHAKESPEARE);
  await expect(pretrain.corpusFigure('Name')).toHaveText('tinyshakespeare.txt');
  await expect(pretrain.corpusFigure('Characters')).toHaveAttribute('data-value', '1115394');
  await expect.poll(() => dataValue(pretrain.corpusFigure('Distinct characters'))).toBeGreaterThan(26);
  await expect.poll(() => dataValue(pretrain.tokenizerFigure('Vocabulary'))).toBeGreaterThan(26);
  await expect(pretrain.panel.getByText(/Sample line in \d+ tokens/)).toBeAttached();
  await expect.poll(() => dataValue(pretrain.planFigure('Parameters'))).toBeGreaterThan(0);
  await expect.poll(() => dataValue(pretrain.planFigure('Planned GPU memory'))).toBeGreaterThan(0);
  await expect(pretrain.planFigure('Planned GPU memory')).toHaveText(/^\d+(\.\d+)? (B|KiB|MiB|GiB)$/);
});

test('a run fills its progress, charts and samples while the main thread stays free; Stop ends it', async ({
  shell,
  pretrain,
  note,
}, testInfo) => {
  await pretrain.dropCorpus(TINY_SHAKESPEARE); // the docs' screenshot
  await pretrain.configureTiny({ steps: 400, every: 8 });
  const startedAt = await shell.now();
  await pretrain.start.click();
  await expect(pretrain.state).toHaveText('running', { timeout: TRAINING_TIMEOUT });

  await test.step('progress, loss, throughput, samples and validation loss arrive', async () => {
    await expect(pretrain.lossLatest).toHaveAttribute('data-latest-train', /\d/, { timeout: TRAINING_TIMEOUT });
    await expect.poll(() => pretrain.step()).toBeGreaterThan(0);
    await expect(shell.page).toHaveTitle(/step \d+\/400/);
    await expect.poll(() => dataValue(pretrain.runFigure('Tokens/s'))).toBeGreaterThan(0);
    await expect(pretrain.samples.getByRole('listitem').first()).toContainText(/step \d+/, {
      timeout: TRAINING_TIMEOUT,
    });
    await expect(pretrain.lossLatest).toHaveAttribute('data-latest-val', /\d/, { timeout: TRAINING_TIMEOUT });
  });

  await test.step('no main-thread task over 50 ms since Start', async () => {
    const tasks = await shell.longTasksSince(startedAt, 'training, charts and samples', (d) => note('long tasks', d));
    expect(tasks, 'main-thread tasks over 50 ms while training').toEqual([]);
  });
  // The screenshot for the docs: charts and samples of a run in progress.
  await shell.page.screenshot({ path: testInfo.outputPath('pretrain.png'), fullPage: true });

  await test.step('Stop', async () => {
    await pretrain.stop.click();
    await expect(pretrain.state).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
    await expect(pretrain.start).toBeEnabled();
    await expect(pretrain.pauseResume).toBeDisabled();
    await expect(shell.page).toHaveTitle(/■/);
  });
});

test('pauses at a step boundary, steps once and resumes, by buttons and by keys', async ({ shell, pretrain }) => {
  await pretrain.startDemo({ steps: 400 });
  const keys = shell.page.keyboard;

  await test.step('buttons: Pause, Step once, Resume', async () => {
    await pretrain.pauseResume.click();
    await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
    await expect(pretrain.pauseResume).toHaveText('Resume');
    const before = await pretrain.step();
    await pretrain.stepOnce.click();
    await expect.poll(() => pretrain.step(), { timeout: TRAINING_TIMEOUT }).toBe(before + 1);
    await expect(pretrain.state).toHaveText('paused');
    await pretrain.pauseResume.click();
    await expect(pretrain.state).toHaveText('running');
    await expect(pretrain.stepOnce).toBeDisabled();
  });

  await test.step('keys: Space pauses, "." steps once, Space resumes', async () => {
    await shell.focusPage();
    await keys.press('Space');
    await expect(pretrain.state).toHaveText(/pausing|paused/);
    await expect(pretrain.state).toHaveText('paused', { timeout: TRAINING_TIMEOUT });
    const before = await pretrain.step();
    await keys.press('.');
    await expect.poll(() => pretrain.step(), { timeout: TRAINING_TIMEOUT }).toBe(before + 1);
    await keys.press('Space');
    await expect(pretrain.state).toHaveText('running');
  });
});

test('generates text from the trained weights, streamed into the output', async ({ pretrain }) => {
  await pretrain.trainDemo({ steps: 2 });
  await pretrain.generate({ prompt: 'The ', maxTokens: 24, temperature: 0.8 });
  await expect(pretrain.generated).toContainText(/^The .{3,}/, { timeout: TRAINING_TIMEOUT });
  await expect(pretrain.panel.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled({
    timeout: TRAINING_TIMEOUT,
  });
});

test('exports a finished run as a Hugging Face folder (.zip)', async ({ shell, pretrain }) => {
  await pretrain.trainDemo({ steps: 2 });
  const download = shell.page.waitForEvent('download');
  await pretrain.export.click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^tiny-\w+-step2-openai-gpt\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync((await file.path())!)));
  expect(Object.keys(files).sort()).toEqual([
    'README.md',
    'config.json',
    'manifest.json', // every other file's size and SHA-256, written last
    'model.safetensors',
    'optimizer.safetensors',
    'training_state.json',
  ]);
  const config = JSON.parse(new TextDecoder().decode(files['config.json']));
  expect(config).toMatchObject({ model_type: 'openai-gpt', n_layer: 2, n_embd: 64, n_head: 4 });
});

test('after a reload, offers to resume a stopped run where it stopped, with its charts', async ({
  shell,
  pretrain,
  runs,
}) => {
  await pretrain.startDemo({ steps: 400, probeEvery: 100 });
  await expect(pretrain.lossLatest).toHaveAttribute('data-latest-train', /\d/, { timeout: TRAINING_TIMEOUT });
  await expect(pretrain.probeLatest).toHaveAttribute('data-step', '0', { timeout: TRAINING_TIMEOUT });
  await pretrain.stop.click();
  await expect(pretrain.state).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
  const runId = await pretrain.runId();
  const stoppedAt = await pretrain.step();

  await shell.reload();
  await pretrain.panel.getByRole('button', { name: 'Show saved runs' }).click();
  await expect(shell.tab('Runs')).toHaveAttribute('aria-selected', 'true');
  await runs.resumeSaved(runId).click();

  await shell.show('Pretrain');
  await expect(pretrain.state).toHaveText('running', { timeout: TRAINING_TIMEOUT });
  expect(stoppedAt).toBeGreaterThan(0);
  await expect.poll(() => pretrain.step()).toBeGreaterThanOrEqual(stoppedAt); // where it stopped, not step 0
  // The saved history (losses and the zero-shot probe rounds) and the corpus come back with the run.
  await expect(pretrain.lossLatest).toHaveAttribute('data-latest-train', /\d/);
  await expect(pretrain.probeLatest).toHaveAttribute('data-latest-built-in-sentiment', /\d/);
  await expect(pretrain.corpusFigure('Name')).toContainText('demo notebook');
  await pretrain.stop.click();
  await expect(pretrain.state).toHaveText('stopped', { timeout: TRAINING_TIMEOUT });
});
