// Building the GPT-1 tokenizer from its files, without touching a file system (the browser passes the
// texts of dropped files, Node reads a folder in gpt1-node.ts). Accepts OpenAI's originals
// (encoder_bpe_40000.json + vocab_40000.bpe) and the Hugging Face layout (vocab.json + merges.txt, with
// fine-tuning tokens in added_tokens.json or tokenizer.json). Errors name the file and the line or entry.
import { Gpt1Tokenizer } from './gpt1.ts';

/** Parses a token -> id JSON map into the token list, requiring ids 0..n-1 each used once. */
export function parseGpt1Vocab(jsonText: string, fileName = 'vocab.json'): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText);
  } catch (error) {
    throw new Error(`${fileName}: not valid JSON (${(error as Error).message}).`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${fileName}: expected a JSON object mapping tokens to ids.`);
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  const vocab = new Array<string | undefined>(entries.length);
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= entries.length) {
      throw new Error(
        `${fileName}: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}; ids must be 0..${entries.length - 1}.`,
      );
    }
    if (vocab[id] !== undefined) {
      throw new Error(`${fileName}: id ${id} is used by ${JSON.stringify(vocab[id])} and ${JSON.stringify(token)}.`);
    }
    vocab[id] = token;
  }
  return vocab as string[];
}

/**
 * Parses merges: an optional first line `#version: ...`, then one merge 'a b' per line in rank order.
 * Empty lines (the trailing one included) are skipped, so this equals the reference's split('\n')[1:-1].
 */
export function parseGpt1Merges(text: string, fileName = 'merges.txt'): string[] {
  const lines = text.split('\n');
  const merges: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0 || (index === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new Error(
        `${fileName} line ${index + 1}: expected two tokens separated by one space, got ${JSON.stringify(line)}.`,
      );
    }
    merges.push(line);
  });
  return merges;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseJsonFile(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${name} is not valid JSON (${(error as Error).message}).`);
  }
}

/**
 * Added (special) tokens from a Hugging Face folder: added_tokens.json ({token: id}) or the `added_tokens`
 * of tokenizer.json. Tokens already in the base vocabulary (such as `<unk>`) are skipped; the others must
 * take consecutive ids right after it. Returned in id order.
 */
export function parseAddedTokens(files: ReadonlyMap<string, string>, baseVocab: readonly string[]): string[] {
  const found = new Map<number, string>();
  const addedJson = files.get('added_tokens.json');
  if (addedJson !== undefined) {
    const parsed = parseJsonFile('added_tokens.json', addedJson);
    if (!isRecord(parsed) || !Object.values(parsed).every((id) => Number.isInteger(id) && (id as number) >= 0)) {
      throw new Error('added_tokens.json must map each token to its id, e.g. {"_start_": 40478}.');
    }
    for (const [token, id] of Object.entries(parsed as Record<string, number>)) found.set(id, token);
  }
  const tokenizerJson = files.get('tokenizer.json');
  if (tokenizerJson !== undefined) {
    const parsed = parseJsonFile('tokenizer.json', tokenizerJson);
    const entries = isRecord(parsed) ? (parsed.added_tokens ?? []) : undefined;
    const valid = (e: unknown) => isRecord(e) && Number.isInteger(e.id) && typeof e.content === 'string';
    if (!Array.isArray(entries) || !entries.every(valid)) {
      throw new Error('tokenizer.json: added_tokens must be a list of {"id", "content"} entries.');
    }
    for (const entry of entries as { id: number; content: string }[]) found.set(entry.id, entry.content);
  }
  const added = [...found].filter(([id]) => id >= baseVocab.length).sort((x, y) => x[0] - y[0]);
  added.forEach(([id, token], i) => {
    if (id !== baseVocab.length + i) {
      throw new Error(`Added token ${JSON.stringify(token)} has id ${id}; expected ${baseVocab.length + i}.`);
    }
  });
  return added.map(([, token]) => token);
}

/**
 * Builds the tokenizer from files given by name (file name -> text). Needs encoder_bpe_40000.json and
 * vocab_40000.bpe, or vocab.json and merges.txt.
 */
export function gpt1TokenizerFromFiles(files: ReadonlyMap<string, string>): Gpt1Tokenizer {
  const layouts = [
    ['encoder_bpe_40000.json', 'vocab_40000.bpe'],
    ['vocab.json', 'merges.txt'],
  ] as const;
  for (const [vocabName, mergesName] of layouts) {
    const vocabText = files.get(vocabName);
    const mergesText = files.get(mergesName);
    if (vocabText === undefined || mergesText === undefined) continue;
    const vocab = parseGpt1Vocab(vocabText, vocabName);
    const tokenizer = new Gpt1Tokenizer(vocab, parseGpt1Merges(mergesText, mergesName));
    tokenizer.addSpecialTokens(parseAddedTokens(files, vocab));
    return tokenizer;
  }
  throw new Error(
    'A GPT-1 tokenizer needs encoder_bpe_40000.json + vocab_40000.bpe (OpenAI) or vocab.json + merges.txt (Hugging Face).',
  );
}

/** The file names gpt1TokenizerFromFiles reads, for loaders that pick files out of a folder. */
export const GPT1_TOKENIZER_FILE_NAMES = [
  'encoder_bpe_40000.json',
  'vocab_40000.bpe',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'tokenizer.json',
] as const;
