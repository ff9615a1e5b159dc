// The e2e tests' fixtures: each test gets its own page (a fresh browser context: its own OPFS and
// localStorage), opened and past the GPU self-test, with a page object per workspace. A test sets up what
// it needs itself (pretrain.trainDemo, tasks.finetune, …); nothing carries over from another test.
import { test as base } from '@playwright/test';
import { AttentionPage } from './pages/attention-page.ts';
import { PretrainPage } from './pages/pretrain-page.ts';
import { RunsPage } from './pages/runs-page.ts';
import { ShellPage } from './pages/shell-page.ts';
import { TasksPage } from './pages/tasks-page.ts';

interface Workspaces {
  shell: ShellPage;
  pretrain: PretrainPage;
  classification: TasksPage;
  attention: AttentionPage;
  runs: RunsPage;
  /** Notes a figure of the run on the test (a timing, a result) and prints it. */
  note: (label: string, description: string) => void;
}

export const test = base.extend<Workspaces>({
  shell: async ({ page }, use) => use(await new ShellPage(page).open()),
  pretrain: async ({ shell }, use) => use(new PretrainPage(shell)),
  classification: async ({ shell }, use) => use(new TasksPage(shell, 'Classification')),
  attention: async ({ shell }, use) => use(new AttentionPage(shell)),
  runs: async ({ shell }, use) => use(new RunsPage(shell)),
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  note: async ({}, use, testInfo) =>
    use((label, description) => {
      testInfo.annotations.push({ type: label, description });
      console.log(`${label}: ${description}`);
    }),
});

export { expect } from '@playwright/test';

/** Seconds since `t0` (Date.now()), for notes. */
export const secondsSince = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);
