// The app shell as a person meets it: the adapter panel, the tabs (by mouse, arrow keys and digits), the
// shortcuts help, the colour scheme, and the message when WebGPU is missing.
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS_WITHOUT_WEBGPU, CHROMIUM_PATH } from '../test-support/chromium.ts';
import { expect, test } from './fixtures.ts';

test('shows the adapter the engine worker found, and a passing GPU self-test', async ({ shell }, testInfo) => {
  await expect(shell.adapter).toContainText(/swiftshader/i);
  await expect(shell.selfTest).toContainText(/^passed \(\d+ values/);
  await expect(shell.alerts).toHaveCount(0);
  await shell.page.screenshot({ path: testInfo.outputPath('shell.png'), fullPage: true });
});

test('has real tabs for every workspace, reachable by arrow keys and digits', async ({ shell }) => {
  const names = ['Pretrain', 'Classification', 'Entailment', 'Similarity', 'Multiple choice', 'Attention', 'Runs'];
  for (const name of names) await expect(shell.tablist.getByRole('tab', { name })).toBeVisible();
  await expect(shell.tab('Pretrain')).toHaveAttribute('aria-selected', 'true');

  await test.step('arrow keys move along the tabs', async () => {
    await shell.tab('Pretrain').focus();
    await shell.page.keyboard.press('ArrowRight');
    await expect(shell.tab('Classification')).toHaveAttribute('aria-selected', 'true');
    await expect(shell.panel('Classification')).toBeVisible();
  });

  await test.step('a digit picks a tab', async () => {
    await shell.focusPage();
    await shell.page.keyboard.press('6');
    await expect(shell.tab('Attention')).toHaveAttribute('aria-selected', 'true');
    await expect(shell.panel('Attention')).toContainText(/layers × heads/);
  });
});

test('? opens the shortcuts help, written from the run controls; Esc closes it', async ({ shell }) => {
  await shell.focusPage();
  await shell.page.keyboard.press('?');
  await expect(shell.help).toBeVisible();
  const rows = shell.help.getByRole('row');
  await expect(rows.filter({ hasText: 'Space' })).toHaveCount(2); // Start; Pause or resume
  await expect(rows.filter({ hasText: 'Step once' })).toContainText('.');
  await expect(rows.filter({ hasText: 'Switch tab' })).toContainText('1 – 7');
  await shell.page.keyboard.press('Escape');
  await expect(shell.help).toBeHidden();
});

test('switches to dark mode and remembers it; "system" follows the system scheme', async ({ shell }) => {
  const html = shell.page.locator('html');
  await shell.theme.selectOption('dark');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await shell.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');

  await test.step('system', async () => {
    await shell.page.emulateMedia({ colorScheme: 'light' });
    await shell.theme.selectOption('system');
    await expect(html).toHaveAttribute('data-theme', 'light');
    await shell.page.emulateMedia({ colorScheme: 'dark' });
    await expect(html).toHaveAttribute('data-theme', 'dark');
  });
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
