// Rebuilding any tokenizer from the JSON a checkpoint stored (Tokenizer.toJSON), by its kind. The JSON
// comes from a user's file, so its shape is checked first and errors say which field is wrong.
import { ByteBpeTokenizer } from './bpe.ts';
import { CharTokenizer } from './char.ts';
import { Gpt1Tokenizer } from './gpt1.ts';
import type { Tokenizer, TokenizerJson } from './types.ts';

export function tokenizerFromJSON(json: unknown): Tokenizer {
  const checked = checkTokenizerJson(json);
  switch (checked.kind) {
    case 'gpt1':
      return Gpt1Tokenizer.fromJSON(checked);
    case 'char':
      return CharTokenizer.fromJSON(checked);
    case 'bpe':
      return ByteBpeTokenizer.fromJSON(checked);
  }
}

/** Checks field types (not contents: the constructors check those) and returns the JSON typed. */
export function checkTokenizerJson(json: unknown): TokenizerJson {
  if (json === null || typeof json !== 'object') throw new Error('Tokenizer: expected a JSON object.');
  const record = json as Record<string, unknown>;
  const kind = record.kind;
  if (kind !== 'gpt1' && kind !== 'char' && kind !== 'bpe') {
    throw new Error(`Unknown tokenizer kind ${JSON.stringify(kind)} (expected gpt1, char or bpe).`);
  }
  if (record.version !== 1)
    throw new Error(`Tokenizer ${kind}: unsupported version ${JSON.stringify(record.version)}.`);
  const expectArray = (field: string, item: 'string' | 'number'): void => {
    const value = record[field];
    if (!Array.isArray(value)) throw new Error(`Tokenizer ${kind}: field "${field}" must be an array.`);
    const bad = value.findIndex((v) => typeof v !== item);
    if (bad >= 0) throw new Error(`Tokenizer ${kind}: ${field}[${bad}] must be a ${item}.`);
  };
  expectArray('specialTokens', 'string');
  if (kind === 'gpt1') {
    expectArray('vocab', 'string');
    expectArray('merges', 'string');
  } else if (kind === 'char') {
    expectArray('chars', 'string');
  } else {
    expectArray('merges', 'number');
    if (typeof record.pattern !== 'string') throw new Error('Tokenizer bpe: field "pattern" must be a string.');
    if (typeof record.maxChunkLength !== 'number') {
      throw new Error('Tokenizer bpe: field "maxChunkLength" must be a number.');
    }
  }
  return json as TokenizerJson;
}
