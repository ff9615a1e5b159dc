// A tokenizer's identity as a SHA-256 over its canonical JSON: keys sorted at every level, no whitespace, and
// every character outside printable ASCII written as \uXXXX (lowercase hex, UTF-16 code units). That is exactly
// Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True), so scale/gpt1lab/token_file.py
// gets the same digest from the tokenizer in training_state.json, and a token file is tied to its tokenizer.
import type { TokenizerJson } from './types.ts';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  // Keys are ASCII field names here, so code-unit order (JS) equals code-point order (Python).
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}

export function canonicalJson(value: unknown): string {
  // JSON.stringify already escapes control characters and lone surrogates as \u00xx / \udxxx, like Python.
  return JSON.stringify(sortKeys(value)).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export async function tokenizerSha256(json: TokenizerJson): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(json)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
