// A file that is not text is refused with a readable message, next to the file input and in the alert
// region; the page keeps working (the demo corpus still loads afterwards).
import { expect, test } from '@playwright/test';

test('a binary file chosen as the corpus gives a readable error next to the input', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);

  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]);
  const input = page.getByLabel('Corpus file');
  await input.setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: bytes });

  const alert = page.getByRole('alert');
  await expect(alert).toContainText('photo.png looks binary');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(input).toHaveAccessibleDescription(/looks binary \(a NUL byte at offset 8\)/);

  await page.getByRole('button', { name: 'Use the demo corpus' }).click();
  await expect(page.getByRole('definition').filter({ hasText: /demo notebook/ })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
});

test('a text file that is not UTF-8 is refused by the worker, naming the byte', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'GPU adapter' })).toContainText(/Self-test\s*passed/);
  const latin1 = Buffer.from('Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e, and more prose for the corpus.', 'latin1');
  await page.getByLabel('Corpus file').setInputFiles({ name: 'latin1.txt', mimeType: 'text/plain', buffer: latin1 });
  await expect(page.getByRole('alert')).toContainText(/latin1\.txt is not valid UTF-8 at byte 3/);
  await expect(page.getByLabel('Corpus file')).toHaveAccessibleDescription(/not valid UTF-8/);
});
