// The app shell as a person meets it: the device panel (adapter, self-test, matmul kernel tuning), the
// workspace tabs, the theme, the shortcuts help and the alert region. Every page object starts from here.
import { expect, type Locator, type Page } from '@playwright/test';
import { definition } from './read.ts';

export type Workspace =
  | 'Pretrain'
  | 'Classification'
  | 'Entailment'
  | 'Similarity'
  | 'Multiple choice'
  | 'Attention'
  | 'Runs';

interface LongTask {
  start: number;
  duration: number;
}

export class ShellPage {
  readonly adapter: Locator;
  readonly selfTest: Locator;
  readonly tablist: Locator;
  readonly theme: Locator;
  readonly help: Locator;
  readonly alerts: Locator;
  readonly kernelTuning: Locator;
  readonly kernelTuningStatus: Locator;

  constructor(readonly page: Page) {
    this.adapter = page.getByRole('region', { name: 'GPU adapter' });
    this.selfTest = definition(this.adapter, 'Self-test');
    this.tablist = page.getByRole('tablist', { name: 'Workspaces' });
    this.theme = page.getByLabel('Theme');
    this.help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    this.alerts = page.getByRole('alert');
    this.kernelTuning = page.getByRole('checkbox', { name: 'Tune matmul kernels for this GPU' });
    this.kernelTuningStatus = page.getByRole('status', { name: 'Matmul kernel tuning' });
  }

  /** Opens the app, counting main-thread long tasks from the start, and waits for the GPU to pass its self-test. */
  async open(): Promise<this> {
    await this.page.addInitScript(() => {
      const tasks: LongTask[] = [];
      (window as unknown as { __longTasks: LongTask[] }).__longTasks = tasks;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await this.page.goto('/');
    await this.ready();
    return this;
  }

  async ready(): Promise<void> {
    await expect(this.selfTest).toHaveAttribute('data-value', 'passed');
  }

  /** Reloads the page (same browser storage) and waits for the GPU again. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.ready();
  }

  tab(name: Workspace): Locator {
    return this.tablist.getByRole('tab', { name });
  }

  panel(name: Workspace): Locator {
    return this.page.getByRole('tabpanel', { name });
  }

  async show(name: Workspace): Promise<Locator> {
    await this.tab(name).click();
    await expect(this.tab(name)).toHaveAttribute('aria-selected', 'true');
    return this.panel(name);
  }

  /** Clicks where nothing takes keys, so the next key press goes to the page's shortcuts. */
  async focusPage(): Promise<void> {
    await this.page.locator('body').click({ position: { x: 5, y: 5 } });
  }

  /** performance.now() in the page: the start of a span to count long tasks in. */
  async now(): Promise<number> {
    return this.page.evaluate(() => performance.now());
  }

  /** Main-thread tasks over 50 ms since `since`; the count is also noted on the test. */
  async longTasksSince(since: number, what: string, note: (text: string) => void): Promise<LongTask[]> {
    const tasks = await this.page.evaluate(
      (t) => (window as unknown as { __longTasks: LongTask[] }).__longTasks.filter((task) => task.start >= t),
      since,
    );
    const seconds = ((await this.now()) - since) / 1000;
    const each = tasks.map((t) => `${t.duration.toFixed(0)} ms at ${((t.start - since) / 1000).toFixed(1)} s`);
    note(`${tasks.length} long tasks in ${seconds.toFixed(1)} s (${what})${each.length ? `: ${each.join(', ')}` : ''}`);
    return tasks;
  }
}
