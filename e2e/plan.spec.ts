// The model form: the worker's plan (parameters, GPU memory) follows every edit, a model too big for the GPU
// is refused with the reason before anything starts, and bad values are named next to their field.
import { expect, test } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);
  await page.getByRole('button', { name: 'Use the demo corpus' }).click();
  await expect(page.getByText('Corpus tokens')).toBeVisible();
});

test('re-plans on each edit and refuses a model that does not fit', async ({ page }) => {
  const parameters = page.locator('[data-field="parameters"]');
  await expect(parameters).toHaveText(/\(\d{1,3}(,\d{3})*\)/);
  const tiny = await parameters.textContent();

  await page.getByLabel('Layers').fill('4');
  await expect(page.getByLabel('Preset')).toHaveValue('custom');
  await expect(parameters).not.toHaveText(tiny ?? '');

  await page.getByLabel('Layers').fill('48');
  await page.getByLabel('Width').fill('4096');
  await page.getByLabel('Heads').fill('32');
  await page.getByLabel('Context').fill('2048');
  await page.getByLabel('Batch', { exact: true }).fill('64');
  await expect(page.getByRole('note')).toContainText('Does not fit this GPU', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: /Start/ })).toBeDisabled();
  await expect(page.getByRole('button', { name: /Start/ })).toHaveAccessibleDescription(/does not fit/);
});

test('names a bad value next to its field and keeps Start off', async ({ page }) => {
  await page.getByLabel('Heads').fill('5');
  const heads = page.getByLabel('Heads');
  await expect(heads).toHaveAttribute('aria-invalid', 'true');
  await expect(heads).toHaveAccessibleDescription('Must divide the width (64).');
  await expect(page.getByRole('button', { name: /Start/ })).toBeDisabled();
  await page.getByLabel('Heads').fill('4');
  await expect(page.getByRole('button', { name: /Start/ })).toBeEnabled();
});
