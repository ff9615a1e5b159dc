// Our own safetensors reader and writer (https://github.com/huggingface/safetensors): 8-byte little-endian header
// length N, N bytes of UTF-8 JSON, then the raw little-endian tensor data. The reader applies every check of the
// reference implementation (header size bounds, UTF-8, a JSON object starting with '{', `__metadata__` as a
// string map, known dtypes, integer shapes, contiguous non-overlapping offsets covering the data exactly, no
// duplicate names) and refuses pickles. Pure TypeScript on Uint8Array: browser, worker and Node alike.
import { findUtf8Problem } from '../data/utf8.ts';
import { CheckpointError, PICKLE_MESSAGE } from './checkpoint-errors.ts';
import { narrowToBF16, narrowToF16, widenBF16, widenF16 } from './float16.ts';

/** The reference's cap on the JSON header ("to prevent parsing extremely large JSON"). */
export const MAX_HEADER_BYTES = 100_000_000;

export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

export type Dtype = keyof typeof DTYPE_BYTES;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** [begin, end) relative to the start of the data section, as written in the header. */
  dataOffsets: [number, number];
  /** Absolute byte offset of the tensor's first byte in the file. */
  byteOffset: number;
  byteLength: number;
}

export interface SafetensorsFile {
  bytes: Uint8Array;
  /** N, the JSON header's length in bytes. */
  headerLength: number;
  /** 8 + N: where the data section starts. */
  dataStart: number;
  /** `__metadata__`, or an empty object when absent. */
  metadata: Record<string, string>;
  /** Tensors in data order (sorted by offsets). */
  tensors: Map<string, TensorInfo>;
  /** Names in the order the header lists them. */
  headerOrder: string[];
  /** Name used in error messages. */
  source?: string;
}

export type TypedTensorData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

export interface TensorToWrite {
  shape: readonly number[];
  data: TypedTensorData;
  /** Defaults from the array type (Float32Array: F32, ...). F16/BF16 round a Float32Array; BOOL takes a Uint8Array. */
  dtype?: Dtype;
}

export interface ParseOptions {
  /** File name for error messages (e.g. 'model-00001-of-00002.safetensors'). */
  source?: string;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error('safetensors I/O needs a little-endian host');
}

export function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

/** 'zip' (torch.save since 1.6), 'pickle' (raw pickle, e.g. legacy pytorch_model.bin) or null. */
export function pickleKind(bytes: Uint8Array): 'zip' | 'pickle' | null {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  return null;
}

function headerLengthOf(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
}

/** A safetensors file whose first 8 bytes happen to match a pickle magic is still a safetensors file. */
function plausibleSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const n = headerLengthOf(bytes);
  return n <= MAX_HEADER_BYTES && n <= bytes.length - 8 && bytes[8] === 0x7b;
}

/** Byte offset of the first invalid UTF-8 sequence, or -1 (the corpus reader's validator). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  return findUtf8Problem(bytes)?.offset ?? -1;
}

/** Top-level keys of a JSON object text in order, duplicates included. The text must already be valid JSON. */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (ch === '{' || ch === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (ch === '}' || ch === ']') {
      depth--;
    } else if (ch === ',') {
      expectKey = depth === 1;
    }
  }
  return keys;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** One header entry. Extra fields are ignored, as the reference (serde without deny_unknown_fields) does. */
function parseTensorInfo(name: string, value: unknown, source: string | undefined): Omit<TensorInfo, 'byteOffset'> {
  const at = { file: source, tensor: name };
  if (!isPlainObject(value)) {
    throw new CheckpointError('INVALID_TENSOR_INFO', `tensor '${name}': header entry is not an object`, at);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new CheckpointError(
      'INVALID_DTYPE',
      `tensor '${name}': dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(DTYPE_BYTES).join(', ')}`,
      at,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw new CheckpointError(
      'INVALID_SHAPE',
      `tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
      at,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    throw new CheckpointError(
      'INVALID_OFFSETS',
      `tensor '${name}': data_offsets ${JSON.stringify(offsets)} is not [begin, end] of non-negative integers`,
      at,
    );
  }
  const [begin, end] = offsets as [number, number];
  return { name, dtype: dtype as Dtype, shape: shape as number[], dataOffsets: [begin, end], byteLength: end - begin };
}

function parseMetadata(value: unknown, source: string | undefined): Record<string, string> {
  if (value === null) return {};
  if (!isPlainObject(value)) {
    throw new CheckpointError('INVALID_METADATA', '__metadata__ must be an object of string values', {
      file: source,
    });
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new CheckpointError('INVALID_METADATA', `__metadata__.${k} is ${JSON.stringify(v)}, not a string`, {
        file: source,
      });
    }
    metadata[k] = v;
  }
  return metadata;
}

function numelChecked(info: Omit<TensorInfo, 'byteOffset'>, source: string | undefined): number {
  let n = 1;
  for (const d of info.shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) {
      throw new CheckpointError(
        'VALIDATION_OVERFLOW',
        `tensor '${info.name}': shape ${JSON.stringify(info.shape)} overflows`,
        {
          file: source,
          tensor: info.name,
        },
      );
    }
  }
  const bytes = n * DTYPE_BYTES[info.dtype];
  if (bytes > Number.MAX_SAFE_INTEGER) {
    throw new CheckpointError('VALIDATION_OVERFLOW', `tensor '${info.name}': byte size overflows`, {
      file: source,
      tensor: info.name,
    });
  }
  return bytes;
}

/** Parses and fully validates a safetensors file. Reads no tensor data; throws CheckpointError. */
export function parseSafetensors(input: Uint8Array | ArrayBuffer, options: ParseOptions = {}): SafetensorsFile {
  const bytes = toBytes(input);
  const source = options.source;
  const at = (offset?: number) => ({ file: source, offset });
  if (!plausibleSafetensors(bytes) && pickleKind(bytes)) {
    throw new CheckpointError('PICKLE_REFUSED', PICKLE_MESSAGE, at(0));
  }
  if (bytes.length < 8) {
    throw new CheckpointError(
      'HEADER_TOO_SMALL',
      `file is ${bytes.length} bytes; a safetensors file starts with an 8-byte header length (truncated?)`,
      at(0),
    );
  }
  const n = headerLengthOf(bytes);
  if (n > MAX_HEADER_BYTES) {
    throw new CheckpointError(
      'HEADER_TOO_LARGE',
      `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
      at(0),
    );
  }
  if (n > bytes.length - 8) {
    throw new CheckpointError(
      'INVALID_HEADER_LENGTH',
      `header length ${n} runs past the end of the file: expected at least ${8 + n} bytes, got ${bytes.length} ` +
        '(truncated, or not a safetensors file)',
      at(0),
    );
  }
  if (bytes[8] !== 0x7b) {
    throw new CheckpointError('INVALID_HEADER_START', "header does not start with '{'", at(8));
  }
  const headerBytes = bytes.subarray(8, 8 + n);
  const bad = firstInvalidUtf8(headerBytes);
  if (bad >= 0) {
    throw new CheckpointError('INVALID_HEADER_UTF8', `header is not valid UTF-8 at byte ${8 + bad}`, at(8 + bad));
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('INVALID_HEADER_JSON', `header is not valid JSON: ${(e as Error).message}`, at(8));
  }
  if (!isPlainObject(header)) {
    throw new CheckpointError('INVALID_HEADER_JSON', 'header is not a JSON object', at(8));
  }
  const seen = new Set<string>();
  const keys = topLevelKeys(text); // header order (Object.entries would move integer-like names first)
  for (const key of keys) {
    if (seen.has(key)) {
      throw new CheckpointError('DUPLICATE_TENSOR', `header lists '${key}' more than once`, {
        file: source,
        tensor: key,
      });
    }
    seen.add(key);
  }

  let metadata: Record<string, string> = {};
  const infos: Omit<TensorInfo, 'byteOffset'>[] = [];
  for (const name of keys) {
    if (name === '__metadata__') metadata = parseMetadata(header.__metadata__, source);
    else infos.push(parseTensorInfo(name, header[name], source));
  }
  const headerOrder = infos.map((t) => t.name);

  // As the reference: sort by offsets, then each tensor must start where the previous one ended.
  const sorted = [...infos].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let cursor = 0;
  let previous = '';
  for (const info of sorted) {
    const [begin, end] = info.dataOffsets;
    const where = { file: source, tensor: info.name, offset: dataStart + begin };
    if (end < begin) {
      throw new CheckpointError(
        'INVALID_OFFSETS',
        `tensor '${info.name}': data_offsets [${begin}, ${end}] end before they begin`,
        where,
      );
    }
    if (begin !== cursor) {
      const what = begin > cursor ? `a hole of ${begin - cursor} bytes` : `an overlap of ${cursor - begin} bytes`;
      const after = previous ? ` after '${previous}' (ends at ${cursor})` : ' at the start of the data';
      throw new CheckpointError(
        'INVALID_OFFSETS',
        `tensor '${info.name}': data_offsets [${begin}, ${end}] leave ${what}${after}; offsets must be contiguous`,
        where,
      );
    }
    const expected = numelChecked(info, source);
    if (end - begin !== expected) {
      throw new CheckpointError(
        'TENSOR_SIZE_MISMATCH',
        `tensor '${info.name}': ${info.dtype} ${JSON.stringify(info.shape)} needs ${expected} bytes but ` +
          `data_offsets [${begin}, ${end}] give ${end - begin}`,
        where,
      );
    }
    tensors.set(info.name, { ...info, byteOffset: dataStart + begin });
    cursor = end;
    previous = info.name;
  }
  if (cursor > dataLength) {
    const cut = sorted.find((t) => t.dataOffsets[1] > dataLength);
    throw new CheckpointError(
      'TRUNCATED',
      `file is truncated: the header describes ${cursor} data bytes, so the file should be ${dataStart + cursor} ` +
        `bytes, but it is ${bytes.length}` +
        (cut ? ` (tensor '${cut.name}' should end at byte ${dataStart + cut.dataOffsets[1]})` : ''),
      { file: source, offset: bytes.length, tensor: cut?.name },
    );
  }
  if (cursor < dataLength) {
    throw new CheckpointError(
      'TRAILING_BYTES',
      `${dataLength - cursor} bytes after the last tensor: expected a file of ${dataStart + cursor} bytes, ` +
        `got ${bytes.length}`,
      at(dataStart + cursor),
    );
  }
  return { bytes, headerLength: n, dataStart, metadata, tensors, headerOrder, source };
}

function infoOf(file: SafetensorsFile, name: string): TensorInfo {
  const info = file.tensors.get(name);
  if (!info) {
    throw new CheckpointError('UNKNOWN_TENSOR', `no tensor named '${name}'`, { file: file.source, tensor: name });
  }
  return info;
}

/** The tensor's raw little-endian bytes (a view into the file). */
export function tensorBytes(file: SafetensorsFile, name: string): Uint8Array {
  const info = infoOf(file, name);
  return file.bytes.subarray(info.byteOffset, info.byteOffset + info.byteLength);
}

type ArrayCtor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** A typed array over the tensor's bytes: a view when aligned and `view` is set, otherwise a copy. */
function typed<T>(ctor: ArrayCtor<T>, file: SafetensorsFile, info: TensorInfo, view: boolean): T {
  assertLittleEndian();
  const length = info.byteLength / ctor.BYTES_PER_ELEMENT;
  const absolute = file.bytes.byteOffset + info.byteOffset;
  if (view && absolute % ctor.BYTES_PER_ELEMENT === 0) {
    return new ctor(file.bytes.buffer as ArrayBuffer, absolute, length);
  }
  const copy = file.bytes.slice(info.byteOffset, info.byteOffset + info.byteLength);
  return new ctor(copy.buffer, 0, length);
}

export interface ReadOptions {
  /** Return a view into the file's buffer when the dtype needs no conversion and the offset is aligned. */
  view?: boolean;
}

/** The tensor in its own dtype (F16 and BF16 widened to Float32Array, BOOL as Uint8Array of 0/1). */
export function readTensor(file: SafetensorsFile, name: string, options: ReadOptions = {}): TypedTensorData {
  const info = infoOf(file, name);
  const view = options.view ?? false;
  switch (info.dtype) {
    case 'F64':
      return typed(Float64Array, file, info, view);
    case 'F32':
      return typed(Float32Array, file, info, view);
    case 'F16':
      return widenF16(typed(Uint16Array, file, info, true));
    case 'BF16':
      return widenBF16(typed(Uint16Array, file, info, true));
    case 'I64':
      return typed(BigInt64Array, file, info, view);
    case 'U64':
      return typed(BigUint64Array, file, info, view);
    case 'I32':
      return typed(Int32Array, file, info, view);
    case 'U32':
      return typed(Uint32Array, file, info, view);
    case 'I16':
      return typed(Int16Array, file, info, view);
    case 'U16':
      return typed(Uint16Array, file, info, view);
    case 'I8':
      return typed(Int8Array, file, info, view);
    case 'U8':
      return typed(Uint8Array, file, info, view);
    case 'BOOL': {
      const out = typed(Uint8Array, file, info, view);
      const bad = out.findIndex((b) => b > 1);
      if (bad >= 0) {
        throw new CheckpointError(
          'INVALID_TENSOR_DATA',
          `tensor '${name}': BOOL byte ${bad} is ${out[bad]}, not 0 or 1`,
          {
            file: file.source,
            tensor: name,
            offset: info.byteOffset + bad,
          },
        );
      }
      return out;
    }
  }
}

/** A floating-point tensor (F32, F16, BF16, or F64 rounded) as Float32Array. Integer dtypes are refused. */
export function readFloat32(file: SafetensorsFile, name: string, options: ReadOptions = {}): Float32Array {
  const info = infoOf(file, name);
  if (info.dtype === 'F64') return Float32Array.from(typed(Float64Array, file, info, true));
  if (info.dtype === 'F32' || info.dtype === 'F16' || info.dtype === 'BF16') {
    return readTensor(file, name, options) as Float32Array;
  }
  throw new CheckpointError('DTYPE_CONVERSION', `tensor '${name}' is ${info.dtype}, not a floating-point tensor`, {
    file: file.source,
    tensor: name,
  });
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function defaultDtype(data: TypedTensorData): Dtype {
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof BigUint64Array) return 'U64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Uint32Array) return 'U32';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Uint16Array) return 'U16';
  if (data instanceof Int8Array) return 'I8';
  return 'U8';
}

/** The bytes to write for one tensor, converting a Float32Array to F16/BF16 when asked. */
function encodeData(name: string, t: TensorToWrite): { dtype: Dtype; bytes: Uint8Array } {
  const natural = defaultDtype(t.data);
  const dtype = t.dtype ?? natural;
  let data: TypedTensorData = t.data;
  if (dtype !== natural) {
    const floatIn = t.data instanceof Float32Array || t.data instanceof Float64Array;
    if ((dtype === 'F16' || dtype === 'BF16') && floatIn) {
      data = dtype === 'F16' ? narrowToF16(t.data as Float32Array) : narrowToBF16(t.data as Float32Array);
    } else if (!(dtype === 'BOOL' && natural === 'U8')) {
      throw new CheckpointError('DTYPE_CONVERSION', `tensor '${name}': cannot write ${natural} data as ${dtype}`, {
        tensor: name,
      });
    }
  }
  if (dtype === 'BOOL' && (data as Uint8Array).some((b) => b > 1)) {
    throw new CheckpointError('INVALID_TENSOR_DATA', `tensor '${name}': BOOL data must be 0 or 1`, { tensor: name });
  }
  return { dtype, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export interface SerializeOptions {
  /** Written as `__metadata__`; `format` defaults to 'pt' (what transformers checks). Pass null for none. */
  metadata?: Record<string, string> | null;
}

/**
 * Writes a safetensors file. Tensors are laid out in the order given (insertion order of a Map/Record, or
 * the iterable's order); callers that want Hugging Face's canonical order sort names first. The header is
 * padded with spaces to a multiple of 8 bytes, as the reference does, so the data section starts 8-aligned.
 */
export function serializeSafetensors(
  tensors: Iterable<readonly [string, TensorToWrite]> | Record<string, TensorToWrite>,
  options: SerializeOptions = {},
): Uint8Array {
  assertLittleEndian();
  const entries: (readonly [string, TensorToWrite])[] =
    Symbol.iterator in tensors ? [...(tensors as Iterable<readonly [string, TensorToWrite]>)] : Object.entries(tensors);
  const metadata = options.metadata === null ? null : { format: 'pt', ...options.metadata };
  const parts: string[] = [];
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new CheckpointError('INVALID_METADATA', `__metadata__.${k} must be a string`);
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const names = new Set<string>();
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') {
      throw new CheckpointError('INVALID_TENSOR_INFO', "'__metadata__' is reserved and cannot name a tensor");
    }
    if (names.has(name))
      throw new CheckpointError('DUPLICATE_TENSOR', `tensor '${name}' given twice`, { tensor: name });
    names.add(name);
    if (!t.shape.every(isIndex)) {
      throw new CheckpointError('INVALID_SHAPE', `tensor '${name}': bad shape ${JSON.stringify(t.shape)}`, {
        tensor: name,
      });
    }
    const { dtype, bytes } = encodeData(name, t);
    const expected = numel(t.shape) * DTYPE_BYTES[dtype];
    if (bytes.byteLength !== expected) {
      throw new CheckpointError(
        'TENSOR_SIZE_MISMATCH',
        `tensor '${name}': shape ${JSON.stringify(t.shape)} needs ${expected / DTYPE_BYTES[dtype]} elements, ` +
          `got ${bytes.byteLength / DTYPE_BYTES[dtype]}`,
        { tensor: name },
      );
    }
    const info = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    blobs.push(bytes);
    offset += bytes.byteLength;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const blob of blobs) {
    out.set(blob, at);
    at += blob.byteLength;
  }
  return out;
}
