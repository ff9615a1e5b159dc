// The Runs workspace: this page's pre-training runs (with their loss and the overlay of loss curves, and their
// latest zero-shot probe scores), the runs saved in the browser that can be resumed, and the fine-tuning runs
// kept across reloads (curves, Delete).
import type { Locator } from '@playwright/test';
import type { ShellPage } from './shell-page.ts';

export class RunsPage {
  readonly panel: Locator;
  readonly runs: Locator;
  readonly overlay: Locator;
  readonly finetuneRuns: Locator;
  /** The fine-tuning table's scroll region (focusable while the table is wider than the page) and its hint. */
  readonly finetuneScroll: Locator;
  readonly finetuneScrollHint: Locator;
  /** The zero-shot probes table: a row per run with probe rounds, a column per probe set. */
  readonly probeRuns: Locator;

  constructor(readonly shell: ShellPage) {
    const panel = shell.panel('Runs');
    this.panel = panel;
    this.runs = panel.getByRole('table', { name: 'Runs' });
    this.overlay = panel.getByRole('figure', { name: 'Train loss by run chart' });
    this.finetuneRuns = panel.getByRole('table', { name: 'Fine-tuning runs', exact: true });
    this.finetuneScroll = panel.getByRole('region', { name: 'Fine-tuning runs table' });
    this.finetuneScrollHint = panel.getByText(/^↔ Fine-tuning runs table is wider than the page/);
    this.probeRuns = panel.getByRole('table', { name: 'Zero-shot probes', exact: true });
  }

  async open(): Promise<this> {
    await this.shell.show('Runs');
    return this;
  }

  /** The button that resumes a saved run: "Resume run <id> at step <n>". */
  resumeSaved(runId: string): Locator {
    return this.panel.getByRole('button', { name: new RegExp(`^Resume run ${runId} at step \\d+$`) });
  }

  /** The line of a saved run: its Resume button, what it is, its size, and Delete. */
  savedRun(runId: string): Locator {
    // The inner locator is matched inside each item, so it starts from the page, not from the panel.
    const resume = this.shell.page.getByRole('button', { name: new RegExp(`^Resume run ${runId} at step \\d+$`) });
    return this.panel.getByRole('listitem').filter({ has: resume });
  }

  /** Presses a saved run's Delete, then confirms. */
  async deleteSaved(runId: string): Promise<void> {
    await this.panel.getByRole('button', { name: `Delete saved run ${runId}` }).click();
    await this.panel.getByRole('button', { name: `Really delete ${runId}?` }).click();
  }

  /** A row of a table by its row header (a run's name, a variant). */
  row(table: Locator, name: string): Locator {
    // The inner locator is matched inside each row, so it starts from the page, not from the panel.
    return table.getByRole('row').filter({ has: this.shell.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** A cell of a row, by its column's header text. */
  async cell(table: Locator, row: Locator, column: string): Promise<Locator> {
    const headers = await table.getByRole('columnheader').allTextContents();
    const index = headers.indexOf(column);
    if (index < 0) throw new Error(`no column "${column}" in ${headers.join(', ')}`);
    return row.locator(':scope > th, :scope > td').nth(index);
  }
}
