// The model form: the worker's plan (parameters, GPU memory) follows every edit, a model too big for the GPU
// is refused with the reason before anything starts, and bad values are named next to their field.

import { expect, test } from './fixtures.ts';
import { dataValue } from './pages/read.ts';

test.beforeEach(async ({ pretrain }) => {
  await pretrain.loadDemoCorpus();
});

test('re-plans on each edit and refuses a model that does not fit', async ({ pretrain }) => {
  const parameters = pretrain.planFigure('Parameters');
  await expect.poll(() => dataValue(parameters)).toBeGreaterThan(0);
  const tiny = await dataValue(parameters);

  await pretrain.field('Layers').fill('4');
  await expect(pretrain.field('Preset')).toHaveValue('custom');
  await expect.poll(() => dataValue(parameters)).toBeGreaterThan(tiny);

  await pretrain.field('Layers').fill('48');
  await pretrain.field('Width').fill('4096');
  await pretrain.field('Heads').fill('32');
  await pretrain.field('Context').fill('2048');
  await pretrain.field('Batch').fill('64');
  await expect(pretrain.refusal).toContainText('Does not fit this GPU', { timeout: 60_000 });
  await expect(pretrain.start).toBeDisabled();
  await expect(pretrain.start).toHaveAccessibleDescription(/does not fit/);
});

test('names a bad value next to its field and keeps Start off', async ({ pretrain }) => {
  const heads = pretrain.field('Heads');
  await heads.fill('5');
  await expect(heads).toHaveAttribute('aria-invalid', 'true');
  await expect(heads).toHaveAccessibleDescription('Must divide the width (64).');
  await expect(pretrain.start).toBeDisabled();
  await heads.fill('4');
  await expect(pretrain.start).toBeEnabled();
});
