// Byte-level helpers for the trained BPE: the GPT-2-like pre-split regex (merges never cross the chunks
// it cuts), the cap on chunk length, and GPT-2's printable byte alphabet used to show tokens as text.

/**
 * GPT-2's pattern: English contractions, letter runs, digit runs, other-symbol runs (each optionally with
 * one leading space), then whitespace. With the 'gu' flags.
 */
export const GPT2_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/**
 * Chunks longer than this many UTF-16 code units are cut into pieces of at most this length (never inside
 * a surrogate pair). Scripts without spaces (Chinese, Japanese) otherwise make paragraph-long chunks that
 * slow training and encoding down; 64 code units is more than any token needs.
 */
export const DEFAULT_MAX_CHUNK_LENGTH = 64;

/** The pre-split chunks of `text`, in order. `pattern` must have the 'g' flag; maxLength <= 0: no cap. */
export function* chunksOf(text: string, pattern: RegExp, maxLength: number): Generator<string, void, undefined> {
  for (const match of text.matchAll(pattern)) {
    const chunk = match[0];
    if (chunk.length <= maxLength || maxLength <= 0) {
      yield chunk;
      continue;
    }
    let start = 0;
    while (start < chunk.length) {
      let end = Math.min(start + maxLength, chunk.length);
      const last = chunk.charCodeAt(end - 1);
      if (end < chunk.length && last >= 0xd800 && last <= 0xdbff && end - 1 > start) end--; // keep the pair whole
      yield chunk.slice(start, end);
      start = end;
    }
  }
}

/** GPT-2's bytes_to_unicode: a printable character for every byte (printable Latin-1 bytes map to themselves). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const chars = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars[b] = String.fromCharCode(printable ? b : next++);
  }
  return chars;
})();

/** Shows bytes in GPT-2's printable alphabet (a space shows as 'Ġ', a newline as 'Ċ'). */
export function bytesToPrintable(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += BYTE_TO_CHAR[b]!;
  return out;
}
