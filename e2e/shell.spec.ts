// The app shell as a person meets it: the adapter panel, the tabs, and the message when WebGPU is missing.
import { chromium, expect, test } from '@playwright/test';
import { CHROMIUM_ARGS_WITHOUT_WEBGPU, CHROMIUM_PATH } from '../test-support/chromium.ts';

test('shows the adapter the engine worker found, and a passing GPU self-test', async ({ page }, testInfo) => {
  await page.goto('/');
  const panel = page.getByRole('region', { name: 'GPU adapter' });
  await expect(panel).toContainText(/swiftshader/i);
  await expect(panel).toContainText(/Self-test\s*passed/);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('shell.png'), fullPage: true });
});

test('has real tabs for every workspace, reachable by keyboard', async ({ page }) => {
  await page.goto('/');
  const tablist = page.getByRole('tablist', { name: 'Workspaces' });
  const names = ['Pretrain', 'Classification', 'Entailment', 'Similarity', 'Multiple choice', 'Attention', 'Runs'];
  for (const name of names) await expect(tablist.getByRole('tab', { name })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Pretrain' })).toHaveAttribute('aria-selected', 'true');

  await page.getByRole('tab', { name: 'Pretrain' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Classification' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel')).toContainText('Classification');

  await page.getByRole('tab', { name: 'Attention' }).click();
  await expect(page.getByRole('tabpanel')).toContainText(/layers × heads/);
});

test('switches to dark mode and remembers it', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('explains what to do when the browser has no WebGPU adapter', async ({ baseURL }) => {
  // A second Chromium without --enable-unsafe-webgpu: navigator.gpu exists but yields no adapter.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS_WITHOUT_WEBGPU });
  try {
    const page = await browser.newPage();
    await page.goto(baseURL ?? '/');
    const message = page.getByRole('alert', { name: 'WebGPU unavailable' });
    await expect(message).toContainText('WebGPU is not available');
    await expect(message).toContainText(/no GPU adapter was found|does not expose WebGPU/);
    await expect(message).toContainText('--enable-unsafe-webgpu');
    await expect(page.getByRole('tablist')).toHaveCount(0);
  } finally {
    await browser.close();
  }
});
