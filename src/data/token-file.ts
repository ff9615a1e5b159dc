// The token file: a corpus as ids from a run's own tokenizer, written by `npm run cli -- encode` so that PyTorch
// (scale/, which mirrors this module in gpt1lab/token_file.py) trains on exactly our ids and never re-tokenizes.
//   bytes 0-7    magic "GPT1TOKS"
//   bytes 8-11   N, the JSON header's length (uint32 little-endian); padded with spaces so 12 + N is a multiple of 8
//   next N       UTF-8 JSON header (TokenFileHeader)
//   then         the train ids, then the validation ids: little-endian unsigned integers of id_bytes (2 or 4) each
// The header names the tokenizer (kind and SHA-256 of its canonical JSON, see tokenizer/fingerprint.ts), its
// vocabulary size and the id width, so a file made with another tokenizer is refused, naming the file.

export const TOKEN_FILE_MAGIC = 'GPT1TOKS';
export const TOKEN_FILE_FORMAT = 'gpt1-lab-tokens';
export const TOKEN_FILE_VERSION = 1;
export const MAX_TOKEN_HEADER_BYTES = 1 << 20;
const PREFIX_BYTES = 12;

export interface TokenFileHeader {
  format: typeof TOKEN_FILE_FORMAT;
  version: number;
  /** The tokenizer's kind: gpt1, char or bpe. */
  tokenizer: string;
  /** SHA-256 of the tokenizer's canonical JSON (tokenizerSha256). */
  tokenizer_sha256: string;
  vocab_size: number;
  /** 2 when every id fits 16 bits, else 4. */
  id_bytes: 2 | 4;
  train_tokens: number;
  val_tokens: number;
  /** The corpus file's name. */
  corpus: string;
  /** Where the validation ids come from, in words: a file's name, or the corpus's held-out tail. */
  validation: string;
}

export interface TokenFile {
  header: TokenFileHeader;
  train: Uint32Array;
  val: Uint32Array;
}

export class TokenFileError extends Error {
  override name = 'TokenFileError';
}

export interface TokenFileParts {
  tokenizer: { kind: string; sha256: string; vocabSize: number };
  train: Uint32Array;
  val: Uint32Array;
  corpus: string;
  validation: string;
}

export function idBytesFor(vocabSize: number): 2 | 4 {
  return vocabSize <= 1 << 16 ? 2 : 4;
}

export function writeTokenFile(parts: TokenFileParts): Uint8Array {
  const { tokenizer, train, val } = parts;
  const idBytes = idBytesFor(tokenizer.vocabSize);
  const header: TokenFileHeader = {
    format: TOKEN_FILE_FORMAT,
    version: TOKEN_FILE_VERSION,
    tokenizer: tokenizer.kind,
    tokenizer_sha256: tokenizer.sha256,
    vocab_size: tokenizer.vocabSize,
    id_bytes: idBytes,
    train_tokens: train.length,
    val_tokens: val.length,
    corpus: parts.corpus,
    validation: parts.validation,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = json.length + ((8 - ((PREFIX_BYTES + json.length) % 8)) % 8); // ids start 8-byte aligned
  const start = PREFIX_BYTES + headerBytes;
  const out = new Uint8Array(start + (train.length + val.length) * idBytes);
  out.set(new TextEncoder().encode(TOKEN_FILE_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, headerBytes, true);
  out.set(json, PREFIX_BYTES);
  out.fill(0x20, PREFIX_BYTES + json.length, start);
  let offset = start;
  for (const ids of [train, val]) {
    for (const id of ids) {
      if (id >= tokenizer.vocabSize)
        throw new TokenFileError(`id ${id} is outside the vocabulary of ${tokenizer.vocabSize}`);
      if (idBytes === 2) view.setUint16(offset, id, true);
      else view.setUint32(offset, id, true);
      offset += idBytes;
    }
  }
  return out;
}

function headerProblem(h: Record<string, unknown>): string | null {
  if (h.format !== TOKEN_FILE_FORMAT) return `the header's format is not "${TOKEN_FILE_FORMAT}"`;
  if (h.version !== TOKEN_FILE_VERSION) return `token file version ${JSON.stringify(h.version)} is not supported`;
  if (h.tokenizer !== 'gpt1' && h.tokenizer !== 'char' && h.tokenizer !== 'bpe') {
    return `tokenizer ${JSON.stringify(h.tokenizer)} is not one of gpt1, char, bpe`;
  }
  if (typeof h.tokenizer_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(h.tokenizer_sha256)) {
    return 'tokenizer_sha256 must be 64 lowercase hex digits';
  }
  if (h.id_bytes !== 2 && h.id_bytes !== 4) return `id_bytes must be 2 or 4, got ${JSON.stringify(h.id_bytes)}`;
  for (const key of ['vocab_size', 'train_tokens', 'val_tokens']) {
    const v = h[key];
    if (!Number.isSafeInteger(v) || (v as number) < (key === 'vocab_size' ? 1 : 0)) {
      return `header field ${key} must be a ${key === 'vocab_size' ? 'positive' : 'non-negative'} integer`;
    }
  }
  if ((h.vocab_size as number) > 2 ** (8 * (h.id_bytes as number))) {
    return `vocab_size ${h.vocab_size} does not fit ids of ${h.id_bytes} bytes`;
  }
  return null;
}

/** Parses and checks a whole token file; `source` (its path) starts every error message. */
export function readTokenFile(bytes: Uint8Array, source: string): TokenFile {
  const fail = (message: string) => new TokenFileError(`${source}: ${message}`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < PREFIX_BYTES || magic !== TOKEN_FILE_MAGIC) {
    throw fail('not a gpt1-lab token file (write one with `npm run cli -- encode`)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(8, true);
  if (n > MAX_TOKEN_HEADER_BYTES || PREFIX_BYTES + n > bytes.length) {
    throw fail(`header length ${n} does not fit the file (${bytes.length} bytes): truncated`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + n)));
  } catch (error) {
    throw fail(`the header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail('the header is not a JSON object');
  const problem = headerProblem(raw as Record<string, unknown>);
  if (problem) throw fail(problem);
  const header = raw as TokenFileHeader;
  const count = header.train_tokens + header.val_tokens;
  const expected = PREFIX_BYTES + n + count * header.id_bytes;
  if (bytes.length < expected) {
    throw fail(
      `truncated: the header promises ${count} tokens (${expected} bytes), the file has ${bytes.length} bytes`,
    );
  }
  if (bytes.length > expected)
    throw fail(`${bytes.length - expected} bytes follow the last of the header's ${count} tokens`);
  const ids = new Uint32Array(count);
  const start = PREFIX_BYTES + n;
  for (let i = 0; i < count; i++) {
    const at = start + i * header.id_bytes;
    const id = header.id_bytes === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
    if (id >= header.vocab_size) throw fail(`token ${i} is id ${id}, outside the vocabulary of ${header.vocab_size}`);
    ids[i] = id;
  }
  return { header, train: ids.subarray(0, header.train_tokens), val: ids.subarray(header.train_tokens) };
}
