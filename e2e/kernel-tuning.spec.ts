// Matmul kernel tuning as a person meets it in the device panel: on by default, the first run's compile
// times each matrix shape and the status says so; after a reload the choices come from the cache (OPFS);
// turned off, the choice survives a reload.
import { expect, test } from '@playwright/test';
import { configureTiny, runState, TRAINING_TIMEOUT, useDemoCorpus } from './pretrain-helpers.ts';

test.describe.configure({ timeout: 2 * TRAINING_TIMEOUT });

test('times matmul shapes at the first run, reuses the choices after a reload, and remembers "off"', async ({
  page,
}) => {
  const ready = async () => {
    await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);
  };
  const checkbox = page.getByRole('checkbox', { name: 'Tune matmul kernels for this GPU' });
  const status = page.getByRole('status', { name: 'Matmul kernel tuning' });
  const run = async (label: string) => {
    const t0 = Date.now();
    await useDemoCorpus(page);
    await configureTiny(page, { steps: 2, batch: 2, every: 0 }); // no eval or samples: training shapes only
    await page.getByRole('button', { name: /Start/ }).click();
    await expect(runState(page)).toHaveText('done', { timeout: TRAINING_TIMEOUT });
    const description = `${((Date.now() - t0) / 1000).toFixed(1)} s; ${await status.textContent()}`;
    test.info().annotations.push({ type: label, description });
    console.log(`${label}: ${description}`);
  };

  await page.goto('/');
  await ready();
  await expect(checkbox).toBeChecked();
  await expect(checkbox).toHaveAccessibleDescription(/Times each matrix shape once per GPU and caches the choice/);
  await expect(status).toHaveText(/tuned when a model is first compiled/);

  await run('first run (tiny, 2 steps of 2 × 64)');
  await expect(status).toHaveText(/^Matmul kernels: \d+ shapes timed on this GPU in \d+\.\d+ s\.$/);

  // A reload: a new engine, the same browser storage. The same shapes come from the cache, untimed.
  await page.reload();
  await ready();
  await expect(status).toHaveText(/tuned when a model is first compiled/);
  await run('after a reload');
  await expect(status).toHaveText(/^Matmul kernels: \d+ shapes, choices reused from cache\.$/);

  await checkbox.uncheck();
  await expect(status).toHaveText(/tuning off/);
  await page.reload();
  await ready();
  await expect(checkbox).not.toBeChecked();
  await expect(status).toHaveText(/tuning off/);
  await checkbox.check();
  await expect(status).not.toHaveText(/tuning off/);
});
