// Matmul kernel tuning as a person meets it in the device panel: on by default, the first run's compile
// times each matrix shape and the status says so; after a reload the choices come from the cache (OPFS);
// turned off, the choice survives a reload.

import { expect, secondsSince, test } from './fixtures.ts';
import { TRAINING_TIMEOUT } from './pages/pretrain-page.ts';

test.describe.configure({ timeout: 2 * TRAINING_TIMEOUT });

test('times matmul shapes at the first run, reuses the choices after a reload, and remembers "off"', async ({
  shell,
  pretrain,
  note,
}) => {
  const status = shell.kernelTuningStatus;
  // No eval or samples: training shapes only.
  const run = async (label: string) => {
    const t0 = Date.now();
    await pretrain.trainDemo({ steps: 2, batch: 2, tune: true });
    note(label, `${secondsSince(t0)} s; ${await status.textContent()}`);
  };

  await expect(shell.kernelTuning).toBeChecked();
  await expect(shell.kernelTuning).toHaveAccessibleDescription(
    /Times each matrix shape once per GPU and caches the choice/,
  );
  await expect(status).toHaveText(/tuned when a model is first compiled/);

  await test.step('the first run times every shape', async () => {
    await run('first run (tiny, 2 steps of 2 × 64)');
    await expect(status).toHaveText(/^Matmul kernels: \d+ shapes timed on this GPU in \d+\.\d+ s\.$/);
    await expect.poll(async () => Number(await status.getAttribute('data-timed-shapes'))).toBeGreaterThan(0);
    expect(await status.getAttribute('data-timed-shapes')).toBe(await status.getAttribute('data-shapes'));
  });

  await test.step('after a reload the same shapes come from the cache, untimed', async () => {
    await shell.reload();
    await expect(status).toHaveText(/tuned when a model is first compiled/);
    await run('after a reload');
    await expect(status).toHaveText(/^Matmul kernels: \d+ shapes, choices reused from cache\.$/);
    expect(await status.getAttribute('data-timed-shapes')).toBe('0');
  });

  await test.step('"off" survives a reload', async () => {
    await shell.kernelTuning.uncheck();
    await expect(status).toHaveText(/tuning off/);
    await shell.reload();
    await expect(shell.kernelTuning).not.toBeChecked();
    await expect(status).toHaveText(/tuning off/);
    await shell.kernelTuning.check();
    await expect(status).not.toHaveText(/tuning off/);
  });
});
