// Node-only loader: reads a GPT-1 tokenizer folder (OpenAI's or Hugging Face's layout) from disk.
// Kept apart from gpt1-files.ts so that the browser bundle never imports node:fs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpt1Tokenizer } from './gpt1.ts';
import { GPT1_TOKENIZER_FILE_NAMES, gpt1TokenizerFromFiles } from './gpt1-files.ts';

export function loadGpt1TokenizerFromDir(dir: string): Gpt1Tokenizer {
  const files = new Map<string, string>();
  for (const name of GPT1_TOKENIZER_FILE_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) files.set(name, readFileSync(path, 'utf8'));
  }
  try {
    return gpt1TokenizerFromFiles(files);
  } catch (error) {
    throw new Error(`${dir}: ${(error as Error).message}`);
  }
}
