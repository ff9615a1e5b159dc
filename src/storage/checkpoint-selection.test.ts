// The checkpoints a chosen folder holds: grouped by sub-folder (never flattened by file name), ordered by step,
// tokenizer files inherited from above, and folder-picker paths made relative to the chosen folder.
import { describe, expect, it } from 'vitest';
import { checkpointsInSelection, describeChoice, relativePaths } from './checkpoint-selection.ts';

const file = (path: string, bytes = 10) => ({ path, bytes });

describe('checkpointsInSelection', () => {
  it('lists each Trainer checkpoint sub-folder with its own files, by step, and inherits the top tokenizer', () => {
    const choices = checkpointsInSelection([
      file('vocab.json', 100),
      file('merges.txt', 50),
      file('checkpoint-1000/config.json'),
      file('checkpoint-1000/model.safetensors', 4000),
      file('checkpoint-1000/optimizer.pt', 8000),
      file('checkpoint-500/config.json'),
      file('checkpoint-500/model.safetensors', 3000),
      file('checkpoint-500/vocab.json', 7),
      file('runs/events.out.tfevents'),
      file('checkpoint-1000/events.out.tfevents'),
    ]);
    expect(choices.map((c) => [c.folder, c.step])).toEqual([
      ['checkpoint-500', 500],
      ['checkpoint-1000', 1000],
    ]);
    const [five, thousand] = choices;
    // checkpoint-500 has its own vocab.json: only merges.txt comes from above.
    expect(five!.files).toEqual([
      { name: 'config.json', path: 'checkpoint-500/config.json', extent: 'whole' },
      { name: 'merges.txt', path: 'merges.txt', extent: 'whole' },
      { name: 'model.safetensors', path: 'checkpoint-500/model.safetensors', extent: 'whole' },
      { name: 'vocab.json', path: 'checkpoint-500/vocab.json', extent: 'whole' },
    ]);
    expect(five!.inherited).toEqual(['merges.txt']);
    expect(five!.bytes).toBe(10 + 50 + 3000 + 7);
    expect(thousand!.files.map((f) => f.path)).toEqual([
      'checkpoint-1000/config.json',
      'merges.txt',
      'checkpoint-1000/model.safetensors',
      'checkpoint-1000/optimizer.pt',
      'vocab.json',
    ]);
    // Of Trainer's optimizer.pt only its first 64 bytes are read: enough to name a pickle.
    expect(thousand!.files.find((f) => f.name === 'optimizer.pt')!.extent).toBe('head');
    expect(thousand!.bytes).toBe(10 + 50 + 4000 + 64 + 100);
    expect(describeChoice(thousand!)).toBe('checkpoint-1000 (step 1000, 0.0 MiB, tokenizer from the top folder)');
  });

  it('puts a model in the chosen folder itself first; a folder of optimizer moments only is no checkpoint', () => {
    const choices = checkpointsInSelection([
      file('config.json'),
      file('model.safetensors', 2 ** 20),
      file('checkpoint-3/training_state.json'),
      file('checkpoint-3/model.safetensors'),
      file('moments/optimizer.safetensors'),
    ]);
    expect(choices.map((c) => c.folder)).toEqual(['', 'checkpoint-3']);
    expect(choices[0]!.step).toBeNull();
    expect(choices[0]!.inherited).toEqual([]);
    expect(describeChoice(choices[0]!)).toBe('the folder itself (1.0 MiB)');
  });

  it('orders named folders without a step after the numbered ones, and finds nothing in a folder of text', () => {
    const choices = checkpointsInSelection([
      file('final/model.safetensors'),
      file('checkpoint-20/model.safetensors'),
      file('old/pytorch_model.bin'), // listed, so that the importer refuses the pickle by name
    ]);
    expect(choices.map((c) => c.folder)).toEqual(['checkpoint-20', 'final', 'old']);
    expect(checkpointsInSelection([file('notes.txt'), file('a/b/readme.md')])).toEqual([]);
  });
});

describe('relativePaths', () => {
  it("strips the chosen folder's name from folder-picker paths", () => {
    expect(
      relativePaths([
        { name: 'config.json', relativePath: 'out/checkpoint-2/config.json' },
        { name: 'vocab.json', relativePath: 'out/vocab.json' },
      ]),
    ).toEqual({ folder: 'out', paths: ['checkpoint-2/config.json', 'vocab.json'] });
  });

  it('uses the file names of files chosen one by one', () => {
    expect(relativePaths([{ name: 'model.safetensors', relativePath: '' }])).toEqual({
      folder: null,
      paths: ['model.safetensors'],
    });
  });
});
