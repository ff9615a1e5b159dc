// `npm run cli -- <command> [options]`: the headless engine over Dawn. Progress goes to stderr; the last
// line of stdout is one JSON object, so scripts can read results without parsing logs.
import { type OptionSpecs, optionsHelp, UsageError } from './args.ts';
import { ablateCommand, ablateOptions } from './commands/ablate.ts';
import { adapterCommand } from './commands/adapter.ts';
import { encodeCommand, encodeOptions } from './commands/encode.ts';
import { finetuneCommand, finetuneOptions } from './commands/finetune.ts';
import { generateCommand, generateOptions } from './commands/generate.ts';
import { parityCommand, parityOptions } from './commands/parity.ts';
import { pretrainCommand, pretrainOptions } from './commands/pretrain.ts';
import { tokenizeCommand, tokenizeOptions } from './commands/tokenize.ts';

interface Command {
  help: string;
  options?: OptionSpecs;
  run: (args: string[]) => Promise<unknown>;
}

const COMMANDS: Record<string, Command> = {
  adapter: { help: 'show the GPU adapter and its limits, and run the GPU self-test', run: adapterCommand },
  pretrain: { help: 'pretrain on a text corpus', options: pretrainOptions, run: pretrainCommand },
  generate: { help: 'sample text from a checkpoint', options: generateOptions, run: generateCommand },
  finetune: { help: 'fine-tune on a labelled task file', options: finetuneOptions, run: finetuneCommand },
  ablate: { help: "the paper's ablations for one task", options: ablateOptions, run: ablateCommand },
  encode: {
    help: "a corpus as token ids with a checkpoint's tokenizer, for scale/continue_pretraining.py",
    options: encodeOptions,
    run: encodeCommand,
  },
  tokenize: {
    help: 'GPT-1 token ids of JSONL {"text"} lines on stdin',
    options: tokenizeOptions,
    run: tokenizeCommand,
  },
  parity: { help: "compare the engine with Hugging Face's golden values", options: parityOptions, run: parityCommand },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${name.padEnd(10)} ${c.help}${c.options ? `\n${optionsHelp(c.options)}` : ''}`,
  );
  return `usage: npm run cli -- <command> [options]\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    process.stderr.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (rest.includes('--help')) {
    process.stderr.write(
      `usage: npm run cli -- ${name} [options]\n  ${command.help}\n${optionsHelp(command.options ?? {})}\n`,
    );
    return 0;
  }
  const result = await command.run(rest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result && typeof result === 'object' && 'pass' in result && result.pass === false ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const [name] = process.argv.slice(2);
    const hint = name && name in COMMANDS ? `see npm run cli -- ${name} --help\n` : usage();
    process.stderr.write(`error: ${message}\n${error instanceof UsageError ? hint : ''}`);
    process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
