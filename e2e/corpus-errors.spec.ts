// A file that is not text is refused with a readable message, next to the file input and in the alert
// region; the page keeps working (the demo corpus still loads afterwards).
import { expect, test } from './fixtures.ts';

test('a binary file chosen as the corpus gives a readable error next to the input', async ({ shell, pretrain }) => {
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]);
  await pretrain.corpusFile.setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: bytes });

  await expect(shell.alerts).toContainText('photo.png looks binary');
  await expect(pretrain.corpusFile).toHaveAttribute('aria-invalid', 'true');
  await expect(pretrain.corpusFile).toHaveAccessibleDescription(/looks binary \(a NUL byte at offset 8\)/);

  await pretrain.loadDemoCorpus();
  await expect(pretrain.corpusFigure('Name')).toContainText('demo notebook');
  await expect(shell.alerts).toHaveCount(0);
  await expect(pretrain.corpusFile).not.toHaveAttribute('aria-invalid', 'true');
});

test('a text file that is not UTF-8 is refused by the worker, naming the byte', async ({ shell, pretrain }) => {
  const latin1 = Buffer.from('Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e, and more prose for the corpus.', 'latin1');
  await pretrain.corpusFile.setInputFiles({ name: 'latin1.txt', mimeType: 'text/plain', buffer: latin1 });
  await expect(shell.alerts).toContainText(/latin1\.txt is not valid UTF-8 at byte 3/);
  await expect(pretrain.corpusFile).toHaveAccessibleDescription(/not valid UTF-8/);
});
