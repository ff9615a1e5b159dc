// Shared steps for the pre-training e2e tests, written as a person would do them (roles and labels).
import { resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';

/** SwiftShader trains the tiny preset at roughly 100–300 tokens/s on two shared CPU cores. */
export const TRAINING_TIMEOUT = 240_000;

export async function useDemoCorpus(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Use the demo corpus' }).click();
  await expect(page.getByRole('definition').filter({ hasText: /demo/i }).first()).toBeVisible();
  await expect(page.getByText('Corpus tokens')).toBeVisible();
}

/** ../shared/data/pretrain/tinyshakespeare.txt, resolved from the repository root (Playwright's cwd). */
export const TINY_SHAKESPEARE = resolve('../shared/data/pretrain/tinyshakespeare.txt');

/** Chooses a corpus file through the drop zone's file input, as a person would. */
export async function dropCorpusFile(page: Page, path: string): Promise<void> {
  await page.getByLabel('Corpus file').setInputFiles(path);
  await expect(page.getByText('Corpus tokens')).toBeVisible({ timeout: 60_000 });
}

export interface TinyRun {
  steps: number;
  batch: number;
  every: number;
}

/** Chooses the tiny preset, shortens it for a CPU GPU, and waits until Start is possible. */
export async function configureTiny(page: Page, run: TinyRun): Promise<void> {
  await page.getByLabel('Preset').selectOption('tiny');
  await page.getByLabel('Batch', { exact: true }).fill(String(run.batch));
  await page.getByLabel('Steps', { exact: true }).fill(String(run.steps));
  await page.getByLabel('Eval every').fill(String(run.every));
  await page.getByLabel('Sample every').fill(String(run.every));
  await expect(page.getByRole('button', { name: /Start/ })).toBeEnabled();
}

export function runState(page: Page) {
  return page.getByRole('status', { name: /^Run state:/ });
}

/** Collects main-thread long tasks (> 50 ms) from page load, for the responsiveness check. */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

export async function longTasksSince(page: Page, since: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(
    (t) =>
      (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter(
        (task) => task.start >= t,
      ),
    since,
  );
}

export async function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}
