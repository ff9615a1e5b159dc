// The Attention workspace: the model (the current pre-training run or a finished fine-tuning run), the text,
// the layers × heads grid of heatmaps, one head enlarged with its hover readout, the head view, and for a
// fine-tuned model the extract token's row per layer and head; live attention's snapshots while a run trains.
import { expect, type Locator } from '@playwright/test';
import { TRAINING_TIMEOUT } from './pretrain-page.ts';
import type { ShellPage } from './shell-page.ts';

export class AttentionPage {
  readonly panel: Locator;
  readonly model: Locator;
  readonly text: Locator;
  readonly show: Locator;
  readonly headView: Locator;
  readonly extractTable: Locator;
  /** Live attention: on/off, its interval, the snapshot scrubber and the shown snapshot's step (data-step). */
  readonly live: Locator;
  readonly liveEvery: Locator;
  readonly snapshot: Locator;
  readonly snapshotStep: Locator;

  constructor(readonly shell: ShellPage) {
    const panel = shell.panel('Attention');
    this.panel = panel;
    this.model = panel.getByLabel('Model', { exact: true });
    this.text = panel.getByLabel('Text to inspect');
    this.show = panel.getByRole('button', { name: 'Show attention' });
    this.headView = panel.getByRole('img', { name: /head view/ });
    this.extractTable = panel.getByRole('table', { name: 'Extract token attention, layers by heads' });
    this.live = panel.getByRole('checkbox', { name: 'Refresh while training' });
    this.liveEvery = panel.getByLabel('every', { exact: true });
    this.snapshot = panel.getByRole('slider', { name: 'Snapshot' });
    this.snapshotStep = panel.getByTestId('snapshot-step');
  }

  async open(): Promise<this> {
    await this.shell.show('Attention');
    return this;
  }

  /** A thumbnail of the grid (1-based layer and head): a button that enlarges it. */
  heatmap(layer: number, head: number): Locator {
    return this.panel.getByRole('button', { name: `Layer ${layer}, head ${head} attention` });
  }

  enlarged(layer: number, head: number): Locator {
    return this.panel.getByRole('img', { name: `Layer ${layer}, head ${head} attention, enlarged` });
  }

  /** A token of the head view's left column (1-based). */
  attendingToken(index: number): Locator {
    return this.panel.getByRole('button', { name: new RegExp(`^Attention from token ${index}:`) });
  }

  /** The extract token's strip for a layer and head (1-based). */
  extractStrip(layer: number, head: number): Locator {
    return this.extractTable.getByRole('img', {
      name: new RegExp(`^Layer ${layer}, head ${head}: the extract token attends most to`),
    });
  }

  /** Picks a finished fine-tuned model of a task family ("Fine-tuned classification model …"). */
  async useFinetuned(family: string): Promise<void> {
    const option = this.model.locator('option', { hasText: `Fine-tuned ${family} model` });
    await expect(option).toHaveCount(1);
    await this.model.selectOption((await option.getAttribute('value'))!);
  }

  /**
   * Shows the attention of `text` and waits for its maps: the status line names the model without a step (a
   * live snapshot's names its step) and the first heatmap is there.
   */
  async inspect(text: string): Promise<void> {
    await this.text.fill(text);
    await this.show.click();
    const asked = this.panel.getByText(/ tokens \((?:fine-tuned model [^ )]+|imported model|run [^ )]+)\); viridis/);
    await expect(asked).toBeVisible({ timeout: TRAINING_TIMEOUT });
    await expect(this.heatmap(1, 1)).toBeVisible({ timeout: TRAINING_TIMEOUT });
  }
}

/** How many different colours a canvas shows (an empty or flat heatmap shows one or two). */
export function distinctColours(canvas: Locator): Promise<number> {
  return canvas.evaluate((element: HTMLCanvasElement) => {
    const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3]! > 0) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size;
  });
}

/** How many pixels of a canvas are painted (not transparent). */
export function paintedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element: HTMLCanvasElement) => {
    const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  });
}
