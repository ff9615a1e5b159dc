// Reading a user's pre-training corpus: size caps, binary detection, strict UTF-8 with the byte offset
// of the first bad byte, BOM stripping and line-ending normalisation. Validation happens before
// anything else changes, and errors say what is wrong and where.
import { findUtf8Problem } from './utf8.ts';

/** 256 MiB: a browser tab can tokenize this; larger corpora belong to a cluster. */
export const DEFAULT_MAX_CORPUS_BYTES = 256 * 1024 * 1024;
/** Shortest useful corpus: at least a few context windows of characters. */
export const MIN_CORPUS_CHARS = 16;

export type CorpusErrorCode = 'empty' | 'too-large' | 'binary' | 'invalid-utf8' | 'too-short';

export class CorpusError extends Error {
  constructor(
    readonly code: CorpusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CorpusError';
  }
}

export interface Corpus {
  name: string;
  text: string;
  bytes: number;
  /** Unicode code points. */
  chars: number;
  lines: number;
  distinctChars: number;
}

export interface ReadCorpusOptions {
  maxBytes?: number;
}

/** Checks the size before reading a File (so a 4 GB drop is refused without loading it). */
export function checkCorpusSize(name: string, size: number, maxBytes = DEFAULT_MAX_CORPUS_BYTES): void {
  if (size === 0) throw new CorpusError('empty', `${name} is empty: drop a text file with some prose in it.`);
  if (size > maxBytes) {
    throw new CorpusError(
      'too-large',
      `${name} is ${(size / 2 ** 20).toFixed(1)} MiB; the limit is ${(maxBytes / 2 ** 20).toFixed(0)} MiB. Use a slice of it.`,
    );
  }
}

export function readCorpus(name: string, data: Uint8Array, options: ReadCorpusOptions = {}): Corpus {
  checkCorpusSize(name, data.length, options.maxBytes);
  const nul = data.indexOf(0);
  if (nul >= 0) {
    throw new CorpusError(
      'binary',
      `${name} looks binary (a NUL byte at offset ${nul}); gpt1-lab pretrains on plain UTF-8 text.`,
    );
  }
  const problem = findUtf8Problem(data);
  if (problem) {
    throw new CorpusError(
      'invalid-utf8',
      `${name} is not valid UTF-8 at byte ${problem.offset} (line ${problem.line}): ${problem.reason}. ` +
        'Re-save it as UTF-8.',
    );
  }
  let text = new TextDecoder('utf-8').decode(data);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n');
  const codePoints = [...text];
  if (codePoints.length < MIN_CORPUS_CHARS) {
    throw new CorpusError(
      'too-short',
      `${name} has ${codePoints.length} characters; pre-training needs at least ${MIN_CORPUS_CHARS}.`,
    );
  }
  let lines = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  if (text.endsWith('\n')) lines--;
  return {
    name,
    text,
    bytes: data.length,
    chars: codePoints.length,
    lines,
    distinctChars: new Set(codePoints).size,
  };
}
