// safetensors reader/writer: the reference's validations one by one, pickle refusal, the shared fixtures, and
// fast-check properties (round trips, every truncation, random header mutations never escape our error type).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointError, type CheckpointErrorCode, PICKLE_MESSAGE } from './checkpoint-errors.ts';
import { narrowToBF16, narrowToF16, widenBF16, widenF16 } from './float16.ts';
import {
  DTYPE_BYTES,
  type Dtype,
  firstInvalidUtf8,
  parseSafetensors,
  readFloat32,
  readTensor,
  serializeSafetensors,
  type TensorToWrite,
  tensorBytes,
  topLevelKeys,
} from './safetensors.ts';

const FIXTURES = new URL('../../../shared/fixtures/hf-tiny/', import.meta.url);
const fixture = (path: string) => new Uint8Array(readFileSync(new URL(path, FIXTURES)));

/** A file from raw header text and data, with an optional lie in the length prefix. */
function rawFile(header: string, data: Uint8Array = new Uint8Array(0), lengthPrefix?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  const view = new DataView(out.buffer);
  const n = lengthPrefix ?? json.length;
  view.setUint32(0, n % 2 ** 32, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function codeOf(fn: () => unknown): CheckpointErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof CheckpointError) return e.code;
    throw e;
  }
}

function errorOf(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CheckpointError) return e;
    throw e;
  }
  throw new Error('expected a CheckpointError');
}

const F32x2 = '{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';

describe('safetensors: hand-made malformed files, one per rule', () => {
  const cases: [string, Uint8Array, CheckpointErrorCode, RegExp][] = [
    ['empty file', new Uint8Array(0), 'HEADER_TOO_SMALL', /0 bytes/],
    ['7 bytes', new Uint8Array(7), 'HEADER_TOO_SMALL', /8-byte header length/],
    ['header over 100 MB', rawFile('{}', undefined, 100_000_001), 'HEADER_TOO_LARGE', /100000000-byte limit/],
    ['header length over 2^32', rawFile('{}', undefined, 2 ** 40), 'HEADER_TOO_LARGE', /limit/],
    ['header past end of file', rawFile('{}', undefined, 50), 'INVALID_HEADER_LENGTH', /at least 58 bytes, got 10/],
    ['zero-length header', rawFile('', undefined, 0), 'INVALID_HEADER_START', /start with '\{'/],
    ['header starts with a space', rawFile(' {}'), 'INVALID_HEADER_START', /'\{'/],
    ['header is an array', rawFile('[]'), 'INVALID_HEADER_START', /'\{'/],
    ['JSON syntax error', rawFile('{"a":}'), 'INVALID_HEADER_JSON', /not valid JSON/],
    ['trailing garbage', rawFile('{} x'), 'INVALID_HEADER_JSON', /not valid JSON/],
    ['duplicate tensor', rawFile(`{"a":${F32x2},"a":${F32x2}}`, new Uint8Array(8)), 'DUPLICATE_TENSOR', /'a' more/],
    ['metadata not an object', rawFile('{"__metadata__":[1]}'), 'INVALID_METADATA', /object of string/],
    ['metadata with a number', rawFile('{"__metadata__":{"format":1}}'), 'INVALID_METADATA', /format is 1/],
    ['entry not an object', rawFile('{"a":3}'), 'INVALID_TENSOR_INFO', /'a'/],
    ['unknown dtype', rawFile('{"a":{"dtype":"F8_E4M3","shape":[],"data_offsets":[0,1]}}'), 'INVALID_DTYPE', /F8_E4M3/],
    ['missing dtype', rawFile('{"a":{"shape":[],"data_offsets":[0,4]}}'), 'INVALID_DTYPE', /undefined/],
    ['negative dim', rawFile('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'), 'INVALID_SHAPE', /\[-1\]/],
    ['fractional dim', rawFile('{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}'), 'INVALID_SHAPE', /1.5/],
    ['string dim', rawFile('{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}'), 'INVALID_SHAPE', /"2"/],
    ['three offsets', rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}'), 'INVALID_OFFSETS', /begin/],
    [
      'end before begin',
      rawFile('{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}', new Uint8Array(4)),
      'INVALID_OFFSETS',
      /end before/,
    ],
    [
      'hole at the start',
      rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)),
      'INVALID_OFFSETS',
      /hole of 4 bytes at the start/,
    ],
    [
      'hole between tensors',
      rawFile(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
        new Uint8Array(12),
      ),
      'INVALID_OFFSETS',
      /'b'.*hole of 4 bytes after 'a'/,
    ],
    [
      'overlap',
      rawFile(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        new Uint8Array(8),
      ),
      'INVALID_OFFSETS',
      /overlap of 4 bytes after 'a'/,
    ],
    [
      'size does not match shape',
      rawFile('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)),
      'TENSOR_SIZE_MISMATCH',
      /'a': F32 \[3\] needs 12 bytes/,
    ],
    [
      'shape overflows',
      rawFile(
        `{"a":{"dtype":"F32","shape":[${2 ** 30},${2 ** 30},${2 ** 30}],"data_offsets":[0,8]}}`,
        new Uint8Array(8),
      ),
      'VALIDATION_OVERFLOW',
      /overflows/,
    ],
    ['truncated data', rawFile(`{"a":${F32x2}}`, new Uint8Array(5)), 'TRUNCATED', /should be \d+ bytes, but it is/],
    ['trailing data', rawFile(`{"a":${F32x2}}`, new Uint8Array(9)), 'TRAILING_BYTES', /1 bytes after the last/],
    ['data but no tensors', rawFile('{}', new Uint8Array(1)), 'TRAILING_BYTES', /1 bytes after/],
  ];
  for (const [what, bytes, code, message] of cases) {
    it(`refuses ${what} (${code})`, () => {
      const e = errorOf(() => parseSafetensors(bytes, { source: 'x.safetensors' }));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.message.startsWith('x.safetensors: ')).toBe(true);
    });
  }

  it('reports invalid UTF-8 with its byte offset', () => {
    const bytes = rawFile('{"ab":1}');
    bytes[11] = 0xff; // inside the key
    const e = errorOf(() => parseSafetensors(bytes));
    expect(e.code).toBe('INVALID_HEADER_UTF8');
    expect(e.details.offset).toBe(11);
    expect(e.message).toMatch(/at byte 11/);
  });

  it('names the tensor and its absolute byte offset', () => {
    const header =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,8]}}';
    const e = errorOf(() => parseSafetensors(rawFile(header, new Uint8Array(8))));
    expect(e.code).toBe('TENSOR_SIZE_MISMATCH');
    expect(e.details.tensor).toBe('b');
    expect(e.details.offset).toBe(8 + header.length + 4);
  });

  it('accepts an empty header, null metadata, zero-size tensors and out-of-order entries', () => {
    expect(parseSafetensors(rawFile('{}')).tensors.size).toBe(0);
    expect(parseSafetensors(rawFile('{"__metadata__":null}')).metadata).toEqual({});
    const header =
      '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"z":{"dtype":"I8","shape":[0,3],"data_offsets":[4,4]},' +
      '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const file = parseSafetensors(rawFile(header, new Uint8Array(8)));
    expect([...file.tensors.keys()]).toEqual(['a', 'z', 'b']); // data order; the empty 'z' sorts first at 4
    expect(file.headerOrder).toEqual(['b', 'z', 'a']);
    expect(readTensor(file, 'z')).toEqual(new Int8Array(0));
  });

  it('finds duplicate keys and the first invalid UTF-8 byte with its own scanners', () => {
    expect(topLevelKeys('{"a":{"a":1,"b":[{"c":2}]},"b\\"":"x,\\"y","a":[]}')).toEqual(['a', 'b"', 'a']);
    expect(firstInvalidUtf8(new TextEncoder().encode('héllo €𝄞'))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0xc0, 0x80))).toBe(1); // overlong
    expect(firstInvalidUtf8(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(0); // surrogate
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0x62, 0xe2, 0x82))).toBe(2); // cut short
  });
});

describe('safetensors: pickles are refused, never parsed', () => {
  it('refuses a PyTorch zip checkpoint', () => {
    const zip = Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0, 0, 0);
    const e = errorOf(() => parseSafetensors(zip, { source: 'pytorch_model.bin' }));
    expect(e.code).toBe('PICKLE_REFUSED');
    expect(e.message).toBe(`pytorch_model.bin: ${PICKLE_MESSAGE}`);
    expect(e.message).toMatch(/save_pretrained\(dir, safe_serialization=True\)/);
  });

  it('refuses raw pickles of protocols 2 to 5, even tiny ones', () => {
    for (const protocol of [2, 3, 4, 5]) {
      expect(codeOf(() => parseSafetensors(Uint8Array.of(0x80, protocol, 0x8a, 0x0a, 0x6c, 0xfc)))).toBe(
        'PICKLE_REFUSED',
      );
    }
    expect(codeOf(() => parseSafetensors(Uint8Array.of(0x80, 0x06, 0, 0, 0, 0, 0, 0, 0)))).not.toBe('PICKLE_REFUSED');
  });

  it('still reads a real safetensors file whose length prefix looks like a pickle magic', () => {
    const header = `{"a":${F32x2}}`.padEnd(0x280, ' '); // N = 0x280: bytes 80 02 00 ...
    const bytes = rawFile(header, new Uint8Array(8));
    expect(bytes[0]).toBe(0x80);
    expect(bytes[1]).toBe(0x02);
    expect([...parseSafetensors(bytes).tensors.keys()]).toEqual(['a']);
  });
});

describe('safetensors: the shared fixtures', () => {
  it('reads hf-tiny/base/model.safetensors (Hub layout, no prefix)', () => {
    const file = parseSafetensors(fixture('base/model.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.size).toBe(26);
    expect(file.tensors.get('tokens_embed.weight')?.shape).toEqual([96, 32]);
    expect(file.tensors.get('positions_embed.weight')?.shape).toEqual([24, 32]);
    expect(file.tensors.get('h.1.attn.c_attn.weight')?.shape).toEqual([32, 96]);
    expect(file.tensors.get('h.0.mlp.c_proj.weight')?.shape).toEqual([128, 32]);
    for (const t of file.tensors.values()) expect(t.dtype).toBe('F32');
    const wte = readFloat32(file, 'tokens_embed.weight');
    expect(wte.length).toBe(96 * 32);
    expect(wte.every(Number.isFinite)).toBe(true);
  });

  it('reads double-heads/model.safetensors (prefixed, with the multiple-choice head and a tied lm_head)', () => {
    const file = parseSafetensors(fixture('double-heads/model.safetensors'));
    expect(file.tensors.get('multiple_choice_head.summary.weight')?.shape).toEqual([1, 32]);
    expect(file.tensors.get('multiple_choice_head.summary.bias')?.shape).toEqual([1]);
    expect(file.tensors.get('lm_head.weight')?.shape).toEqual([96, 32]);
    expect(file.tensors.get('transformer.h.0.ln_1.weight')?.shape).toEqual([32]);
    // transformers 5 keeps only one of the tied pair: lm_head.weight, not transformer.tokens_embed.weight
    expect(file.tensors.has('transformer.tokens_embed.weight')).toBe(false);
  });

  it('reads reference.safetensors, F32 and I32 tensors', () => {
    const file = parseSafetensors(fixture('reference.safetensors'));
    expect(file.tensors.get('lm.logits')?.shape).toEqual([2, 12, 96]);
    expect(file.tensors.get('lm.attentions.0')?.shape).toEqual([2, 4, 12, 12]);
    expect(file.tensors.get('mc.input_ids')).toMatchObject({ dtype: 'I32', shape: [2, 3, 12] });
    const ids = readTensor(file, 'lm.input_ids');
    expect(ids).toBeInstanceOf(Int32Array);
    expect((ids as Int32Array).every((i) => i >= 0 && i < 96)).toBe(true);
    expect(() => readFloat32(file, 'lm.input_ids')).toThrow(/I32, not a floating-point/);
    const probs = readFloat32(file, 'lm.attentions.0');
    expect(probs.slice(0, 12).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5); // softmax rows sum to 1
  });

  it('rewrites the base fixture byte for byte (same header layout and padding as the reference writer)', () => {
    const original = fixture('base/model.safetensors');
    const file = parseSafetensors(original);
    const tensors = file.headerOrder.map((name) => {
      const info = file.tensors.get(name)!;
      return [name, { shape: info.shape, data: readFloat32(file, name) }] as const;
    });
    expect(serializeSafetensors(tensors)).toEqual(original);
  });

  it('gives aligned zero-copy views on request and copies otherwise', () => {
    const file = parseSafetensors(fixture('base/model.safetensors'));
    const view = readFloat32(file, 'tokens_embed.weight', { view: true });
    expect(view.buffer).toBe(file.bytes.buffer);
    const copy = readFloat32(file, 'tokens_embed.weight');
    expect(copy.buffer).not.toBe(file.bytes.buffer);
    expect(copy).toEqual(view);
    expect(tensorBytes(file, 'tokens_embed.weight').byteLength).toBe(96 * 32 * 4);
    expect(() => readTensor(file, 'nope')).toThrow(/no tensor named 'nope'/);
  });
});

describe('safetensors: writer', () => {
  it('writes F16 and BF16 from Float32Array (rounded) and reads them back widened', () => {
    const values = Float32Array.of(0, -0, 1, -2.5, 65504, 1e-8, Math.PI, Number.POSITIVE_INFINITY);
    const bytes = serializeSafetensors({
      h: { shape: [8], data: values, dtype: 'F16' },
      b: { shape: [2, 4], data: values, dtype: 'BF16' },
    });
    const file = parseSafetensors(bytes);
    expect(file.tensors.get('h')?.dtype).toBe('F16');
    expect(readFloat32(file, 'h')).toEqual(widenF16(narrowToF16(values)));
    expect(readFloat32(file, 'b')).toEqual(widenBF16(narrowToBF16(values)));
    expect(readFloat32(file, 'h')[6]).toBe(3.140625); // pi to the nearest half
  });

  it('pads the header to a multiple of 8 and defaults __metadata__.format to pt', () => {
    const bytes = serializeSafetensors([['w', { shape: [1], data: Float32Array.of(1) }]], {
      metadata: { note: 'hi' },
    });
    const file = parseSafetensors(bytes);
    expect(file.headerLength % 8).toBe(0);
    expect(file.metadata).toEqual({ format: 'pt', note: 'hi' });
    expect(parseSafetensors(serializeSafetensors({}, { metadata: null })).metadata).toEqual({});
  });

  it('refuses bad input', () => {
    const f = Float32Array.of(1, 2);
    expect(() => serializeSafetensors({ w: { shape: [3], data: f } })).toThrow(/needs 3 elements, got 2/);
    expect(() => serializeSafetensors({ __metadata__: { shape: [2], data: f } })).toThrow(/reserved/);
    expect(() =>
      serializeSafetensors([['w', { shape: [2], data: f }] as const, ['w', { shape: [2], data: f }] as const]),
    ).toThrow(/given twice/);
    expect(() => serializeSafetensors({ w: { shape: [2], data: Int32Array.of(1, 2), dtype: 'F16' } })).toThrow(
      /cannot write I32 data as F16/,
    );
    expect(() => serializeSafetensors({ w: { shape: [2], data: Uint8Array.of(1, 2), dtype: 'BOOL' } })).toThrow(
      /0 or 1/,
    );
  });

  it('keeps tensor names that JavaScript objects would reorder (integer-like names)', () => {
    const bytes = serializeSafetensors([
      ['b', { shape: [1], data: Float32Array.of(1) }],
      ['1', { shape: [1], data: Float32Array.of(2) }],
    ]);
    const file = parseSafetensors(bytes);
    expect(file.headerOrder).toEqual(['b', '1']);
    const odd = ['__proto__', 'constructor', 'toString', 'é ☃ 𝄞', ''];
    const named = parseSafetensors(
      serializeSafetensors(odd.map((n, i) => [n, { shape: [1], data: Float32Array.of(i) }])),
    );
    expect(named.headerOrder).toEqual(odd);
    odd.forEach((n, i) => {
      expect(readFloat32(named, n)).toEqual(Float32Array.of(i));
    });
    expect(readFloat32(file, '1')).toEqual(Float32Array.of(2));
  });
});

// ---- properties -------------------------------------------------------------------------------------------

const DTYPES = Object.keys(DTYPE_BYTES) as Dtype[];

/** Random bytes reinterpreted as the dtype's natural array (BOOL: 0/1; F16/BF16: a Float32Array of exact values). */
function dataFor(dtype: Dtype, n: number, raw: Uint8Array): TensorToWrite['data'] {
  const bytes = new Uint8Array(n * DTYPE_BYTES[dtype]);
  for (let i = 0; i < bytes.length; i++) bytes[i] = raw[i % Math.max(raw.length, 1)] ?? i;
  const b = bytes.buffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(b);
    case 'F32':
      return new Float32Array(b);
    case 'F16':
      return widenF16(new Uint16Array(b));
    case 'BF16':
      return widenBF16(new Uint16Array(b));
    case 'I64':
      return new BigInt64Array(b);
    case 'U64':
      return new BigUint64Array(b);
    case 'I32':
      return new Int32Array(b);
    case 'U32':
      return new Uint32Array(b);
    case 'I16':
      return new Int16Array(b);
    case 'U16':
      return new Uint16Array(b);
    case 'I8':
      return new Int8Array(b);
    case 'U8':
      return bytes;
    case 'BOOL':
      return bytes.map((x) => x & 1);
  }
}

const tensorArb = fc
  .record({
    dtype: fc.constantFrom(...DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    raw: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ dtype, shape, raw }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { dtype, shape, data: dataFor(dtype, n, raw) } satisfies TensorToWrite;
  });

const nameArb = fc
  .oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.nat({ max: 99 }).map(String))
  .filter((s) => s !== '__metadata__');

const fileArb = fc.record({
  tensors: fc.uniqueArray(fc.tuple(nameArb, tensorArb), { selector: ([name]) => name, maxLength: 6 }),
  metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
});

function sameValues(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('safetensors: properties', () => {
  it('round-trips random tensor sets (names, dtypes, shapes, values, metadata, order)', () => {
    fc.assert(
      fc.property(fileArb, ({ tensors, metadata }) => {
        const file = parseSafetensors(serializeSafetensors(tensors, { metadata }));
        expect(file.metadata).toEqual({ format: 'pt', ...metadata });
        expect(file.headerOrder).toEqual(tensors.map(([name]) => name));
        for (const [name, t] of tensors) {
          const info = file.tensors.get(name)!;
          expect(info.dtype).toBe(t.dtype);
          expect(info.shape).toEqual(t.shape);
          expect(sameValues(readTensor(file, name), t.data)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every truncation of a valid file with the right error', () => {
    fc.assert(
      fc.property(fileArb, ({ tensors, metadata }) => {
        const bytes = serializeSafetensors(tensors, { metadata });
        const n = parseSafetensors(bytes).headerLength;
        for (let length = 0; length < bytes.length; length++) {
          const expected = length < 8 ? 'HEADER_TOO_SMALL' : length < 8 + n ? 'INVALID_HEADER_LENGTH' : 'TRUNCATED';
          const e = errorOf(() => parseSafetensors(bytes.subarray(0, length)));
          expect(e.code).toBe(expected);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('rejects every truncation of the base fixture in the header and a sample of the data', () => {
    const bytes = fixture('base/model.safetensors');
    const n = parseSafetensors(bytes).headerLength;
    for (let length = 0; length < bytes.length; length += length < 8 + n + 64 ? 1 : 997) {
      const e = errorOf(() => parseSafetensors(bytes.subarray(0, length)));
      if (length >= 8 + n) {
        expect(e.code).toBe('TRUNCATED');
        expect(e.message).toMatch(`should be ${bytes.length} bytes, but it is ${length}`);
      }
    }
    expect(codeOf(() => parseSafetensors(bytes.subarray(0, bytes.length - 1)))).toBe('TRUNCATED');
  });

  it('random byte mutations of the length prefix and header only ever raise CheckpointError', () => {
    const base = serializeSafetensors({
      a: { shape: [2, 3], data: new Float32Array(6).fill(1.5) },
      b: { shape: [4], data: Int32Array.of(1, 2, 3, 4) },
      c: { shape: [2], data: Float32Array.of(1, 2), dtype: 'BF16' },
    });
    const n = parseSafetensors(base).headerLength;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 8 + n - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = base.slice();
          for (const [at, value] of edits) bytes[at] = value;
          const result = codeOf(() => {
            const file = parseSafetensors(bytes);
            for (const name of file.tensors.keys()) readTensor(file, name);
          });
          expect(typeof result).toBe('string');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('random header JSON (any values in any field) only ever raises CheckpointError', () => {
    const field = fc.oneof(
      fc.constantFrom(...DTYPES, 'F8_E5M2', ''),
      fc.array(fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double(), fc.constant(2 ** 60)), { maxLength: 3 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const entry = fc.record({ dtype: field, shape: field, data_offsets: field }, { requiredKeys: [] });
    const header = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(entry, fc.jsonValue({ maxDepth: 2 })), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 96 }), (h, data) => {
        const result = codeOf(() => {
          const file = parseSafetensors(rawFile(JSON.stringify(h), data));
          let total = 0;
          for (const [name, info] of file.tensors) {
            total += info.byteLength;
            readTensor(file, name);
          }
          expect(total).toBe(data.length); // accepted files are covered exactly
        });
        expect(typeof result).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});
