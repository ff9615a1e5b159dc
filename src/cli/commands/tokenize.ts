// `tokenize --gpt1 DIR`: JSONL {"text": ...} on stdin -> JSONL {"text", "ids"} on stdout, with the
// original GPT-1 tokenizer. The last stdout line is a JSON summary, like every command.
import { createInterface } from 'node:readline';
import { loadGpt1TokenizerFromDir } from '../../tokenizer/gpt1-node.ts';
import { type OptionSpecs, parseOptions } from '../args.ts';

export const tokenizeOptions = {
  gpt1: {
    type: 'string',
    help: 'folder with encoder_bpe_40000.json + vocab_40000.bpe (or vocab.json + merges.txt)',
    required: true,
  },
} satisfies OptionSpecs;

export async function tokenizeCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, tokenizeOptions);
  const tokenizer = loadGpt1TokenizerFromDir(o.gpt1!);
  let lines = 0;
  let tokens = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lines++;
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new Error(`stdin line ${lines}: not JSON (${(error as Error).message})`);
    }
    const text = (row as { text?: unknown }).text;
    if (typeof text !== 'string') throw new Error(`stdin line ${lines}: no "text" string field`);
    const ids = tokenizer.encode(text);
    tokens += ids.length;
    process.stdout.write(`${JSON.stringify({ text, ids })}\n`);
  }
  return { lines, tokens, vocabSize: tokenizer.vocabSize };
}
