// Settings in the address: a link restores the pre-training and generation settings it carries, refuses a
// bad value by name (the rest still apply, the page keeps working), and the address follows later edits,
// so reloading it restores them.
import { expect, test } from './fixtures.ts';

test('a settings link restores its values, names a refused one, and follows edits', async ({ shell, pretrain }) => {
  const page = shell.page;
  await page.goto('/#pretrain.lr=0.0005&pretrain.warmupSteps=20&generate.temperature=1.5&pretrain.batch=zero');
  await shell.ready();
  await expect(pretrain.field('Learning rate')).toHaveValue('0.0005');
  await expect(pretrain.field('Warm-up steps')).toHaveValue('20');
  await expect(pretrain.field('Temperature')).toHaveValue('1.5');
  await expect(pretrain.field('Batch')).toHaveValue('8'); // the preset's, not "zero"
  await expect(shell.alerts.filter({ hasText: 'link: pretrain.batch' })).toContainText(
    'A whole number from 1 to 1,024.',
  );

  await pretrain.field('Gradient accumulation').fill('2');
  await expect.poll(() => new URL(page.url()).hash).toContain('pretrain.accumulation=2');
  await page.reload();
  await shell.ready();
  await expect(pretrain.field('Gradient accumulation')).toHaveValue('2');
  await expect(pretrain.field('Learning rate')).toHaveValue('0.0005');
});
