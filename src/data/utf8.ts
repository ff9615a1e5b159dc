// Strict UTF-8 validation that reports where the first bad byte is. TextDecoder's fatal mode only
// says "invalid", and users need the byte offset (and line) to find the problem in their file.

export interface Utf8Problem {
  /** Byte offset of the first byte of the invalid sequence. */
  offset: number;
  /** 1-based line number of that byte (counting LF bytes before it). */
  line: number;
  reason: string;
}

/** Returns the first encoding problem, or undefined when `bytes` is valid UTF-8. */
export function findUtf8Problem(bytes: Uint8Array): Utf8Problem | undefined {
  let line = 1;
  let i = 0;
  const n = bytes.length;
  const problem = (reason: string): Utf8Problem => ({ offset: i, line, reason });
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0x0a) line++;
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return problem(`byte 0x${b.toString(16).padStart(2, '0')} cannot start a UTF-8 sequence`);
    }
    if (i + need >= n) return problem('the file ends inside a multi-byte character');
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return problem(`byte 0x${c.toString(16).padStart(2, '0')} is not a continuation byte`);
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min) return problem('overlong encoding');
    if (cp > 0x10ffff) return problem('code point above U+10FFFF');
    if (cp >= 0xd800 && cp <= 0xdfff) return problem('encoded UTF-16 surrogate');
    i += need + 1;
  }
  return undefined;
}
