// The CLI's option parser: values, flags, and errors that name the option.
import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from './args.ts';

const specs = {
  corpus: { type: 'string', help: '', required: true },
  steps: { type: 'number', help: '' },
  verbose: { type: 'boolean', help: '' },
} as const;

describe('parseOptions', () => {
  it('reads strings, numbers and flags', () => {
    expect(parseOptions(['--corpus', 'a.txt', '--steps', '20', '--verbose'], specs)).toEqual({
      corpus: 'a.txt',
      steps: 20,
      verbose: true,
    });
  });

  it('names the option in every error', () => {
    const cases: [string[], RegExp][] = [
      [['--steps', '3'], /--corpus is required/],
      [['--corpus', 'a', '--steps', 'many'], /--steps must be a number, got "many"/],
      [['--corpus'], /--corpus needs a value/],
      [['--corpus', 'a', '--stepz', '1'], /unknown option --stepz \(options: --corpus, --steps, --verbose\)/],
      [['a.txt'], /unexpected argument "a.txt"/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseOptions(args, specs)).toThrow(UsageError);
      expect(() => parseOptions(args, specs)).toThrow(message);
    }
  });
});
