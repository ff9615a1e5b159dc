// The CLI refuses every out-of-range setting with a message naming the option, before any GPU work: each
// command parses its options first, and these throw there (no device is opened by these tests).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.ts';
import { ablateCommand } from './ablate.ts';
import { finetuneCommand } from './finetune.ts';
import { generateCommand } from './generate.ts';
import { pretrainCommand } from './pretrain.ts';

const corpus = ['--corpus', 'no-such-file.txt'];
const task = ['--task', 'classification', '--train', 'no-train.tsv', '--dev', 'no-dev.tsv'];

describe('CLI settings refusals', () => {
  const cases: [string, (args: string[]) => Promise<unknown>, string[], RegExp][] = [
    [
      'pretrain',
      pretrainCommand,
      [...corpus, '--steps', '-1'],
      /--steps must be a whole number from 1 to 10,000,000, got -1/,
    ],
    ['pretrain', pretrainCommand, [...corpus, '--lr', '-1'], /--lr must be a number above 0 and below 1, got -1/],
    ['pretrain', pretrainCommand, [...corpus, '--batch', '2.5'], /--batch must be a whole number/],
    ['pretrain', pretrainCommand, [...corpus, '--eval-every', '-3'], /--eval-every must be/],
    ['pretrain', pretrainCommand, [...corpus, '--context', '1'], /--context must be a whole number from 2/],
    ['generate', generateCommand, ['--ckpt', 'x', '--prompt', 'a', '--temperature', '-1'], /--temperature must be/],
    ['generate', generateCommand, ['--ckpt', 'x', '--prompt', 'a', '--tokens', '5000'], /--tokens must be .* to 4,096/],
    ['generate', generateCommand, ['--ckpt', 'x', '--prompt', 'a', '--top-k', '-2'], /--top-k must be/],
    [
      'finetune',
      finetuneCommand,
      [...task, '--scratch', '--max-steps', '-3'],
      /--max-steps must be a whole number from 1/,
    ],
    ['finetune', finetuneCommand, [...task, '--scratch', '--epochs', '0'], /--epochs must be a number above 0/],
    ['finetune', finetuneCommand, [...task, '--scratch', '--aux-lm', '-1'], /--aux-lm must be/],
    [
      'finetune',
      finetuneCommand,
      [...task, '--scratch', '--warmup', '1'],
      /--warmup must be a number from 0 to below 1/,
    ],
    ['finetune', finetuneCommand, [...task, '--scratch', '--clip', '0'], /--clip must be a number above 0/],
    ['ablate', ablateCommand, [...task, '--init', 'x', '--aux-lm', '0'], /--aux-lm: .*λ must be positive/],
    ['ablate', ablateCommand, [...task, '--init', 'x', '--seed', '-1'], /--seed must be a whole number from 0/],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--seeds', '0'],
      /--seeds must be a whole number from 1 to 20, got 0/,
    ],
    ['ablate', ablateCommand, [...task, '--init', 'x', '--seeds', '2.5'], /--seeds must be a whole number/],
    ['ablate', ablateCommand, [...task, '--init', 'x', '--seeds', '21'], /--seeds must be a whole number from 1 to 20/],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--seed', '4294967295', '--seeds', '2'],
      /--seeds: 2 seeds from seed 4294967295 go past 4294967295/,
    ],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--sweep-layers', 'x'],
      /--sweep-layers must be all or whole numbers of layers from 0, not "x"/,
    ],
    ['ablate', ablateCommand, [...task, '--init', 'x', '--sweep-layers', '1,-1'], /--sweep-layers .* not "-1"/],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--sweep-layers', '1,1'],
      /--sweep-layers names a layer count twice/,
    ],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--variants', 'scratch', '--sweep-layers', 'all'],
      /--variants and --sweep-layers both choose the rows: give one/,
    ],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--lr-sweep', '1e-3,fast'],
      /--lr-sweep: "fast" is not a learning rate/,
    ],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--lr-sweep', '1e-3,2'],
      /--lr-sweep: each rate of the learning-rate sweep must be a number above 0 and below 1 \(got 2\)/,
    ],
    [
      'ablate',
      ablateCommand,
      [...task, '--init', 'x', '--lr-sweep', '1e-3,0.001'],
      /--lr-sweep: .* names a rate twice/,
    ],
  ];
  for (const [name, command, args, message] of cases) {
    it(`${name} ${args.slice(-2).join(' ')}`, async () => {
      const refused = command(args);
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(message);
    });
  }

  it('a value inside the bounds gets past the options (to the missing file)', async () => {
    await expect(pretrainCommand([...corpus, '--steps', '5'])).rejects.toThrow(/no-such-file\.txt/);
    const compare = [...task, '--init', 'x', '--seeds', '2', '--sweep-layers', '0,2', '--lr-sweep', 'none'];
    await expect(ablateCommand(compare)).rejects.toThrow(/no-train\.tsv/);
  });
});
