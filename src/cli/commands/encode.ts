// `encode --corpus FILE --ckpt DIR --out tokens.bin [--val FILE]`: a corpus as token ids with a checkpoint's own
// tokenizer (the app's code), for PyTorch to continue the run on (scale/continue_pretraining.py). Without --val
// the corpus is split as `pretrain` splits it (the last 10% held out, at the run's context), so the train ids
// are the ones the run's data cursor indexes. The file format is src/data/token-file.ts. Only the checkpoint's
// training_state.json and config.json are read: the weights are not needed to tokenize.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readCorpus } from '../../data/corpus.ts';
import { splitTrainVal } from '../../data/lm-batches.ts';
import { idBytesFor, writeTokenFile } from '../../data/token-file.ts';
import { parseHfConfig } from '../../model/hf-format.ts';
import { tokenizerSha256 } from '../../tokenizer/fingerprint.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import type { Tokenizer, TokenizerJson } from '../../tokenizer/types.ts';
import { CHECKPOINT_FORMAT } from '../../train/checkpoint.ts';
import { type OptionSpecs, parseOptions } from '../args.ts';
import { runCheckpoints } from '../checkpoint-folders.ts';
import { progress } from '../progress.ts';

export const encodeOptions = {
  corpus: { type: 'string', help: 'UTF-8 text file to encode', required: true },
  ckpt: { type: 'string', help: 'checkpoint folder whose tokenizer (and context) to use', required: true },
  out: { type: 'string', help: 'token file to write', required: true },
  val: { type: 'string', help: 'validation text file (default: the last 10% of the corpus, as pretrain)' },
} satisfies OptionSpecs;

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function readJson(path: string): Record<string, unknown> {
  const text = new TextDecoder().decode(readBytes(path));
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  throw new Error(`${path}: not a JSON object`);
}

/** A checkpoint folder itself, or a run folder's latest complete checkpoint-<step>. */
async function checkpointPath(dir: string): Promise<string> {
  if (existsSync(join(dir, 'training_state.json')) || !existsSync(dir)) return dir;
  return (await runCheckpoints(dir)).at(-1)?.path ?? dir;
}

/** The run's tokenizer and context from a checkpoint folder, checked against its config.json. */
function runTokenizer(dir: string): { tokenizer: Tokenizer; json: TokenizerJson; T: number } {
  const statePath = join(dir, 'training_state.json');
  const state = readJson(statePath);
  if (state.format !== CHECKPOINT_FORMAT) throw new Error(`${statePath}: format is not "${CHECKPOINT_FORMAT}"`);
  const T = state.T;
  if (!Number.isInteger(T) || (T as number) < 1) throw new Error(`${statePath}: T must be a positive integer`);
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJSON(state.tokenizer);
  } catch (error) {
    throw new Error(`${statePath}: ${(error as Error).message}`);
  }
  const configPath = join(dir, 'config.json');
  let vocabSize: number;
  try {
    vocabSize = parseHfConfig(readBytes(configPath)).config.vocabSize;
  } catch (error) {
    throw new Error(`${configPath}: ${(error as Error).message.replace(/^config\.json: /, '')}`);
  }
  if (vocabSize !== tokenizer.vocabSize) {
    throw new Error(
      `${configPath}: vocab_size ${vocabSize} differs from the tokenizer's ${tokenizer.vocabSize} in ${statePath}`,
    );
  }
  return { tokenizer, json: state.tokenizer as TokenizerJson, T: T as number };
}

function encodeText(path: string, tokenizer: Tokenizer): Uint32Array {
  const corpus = readCorpus(path, readBytes(path));
  progress(`${path}: ${corpus.chars} characters`);
  return Uint32Array.from(tokenizer.encode(corpus.text));
}

export async function encodeCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, encodeOptions);
  const { tokenizer, json, T } = runTokenizer(await checkpointPath(o.ckpt!));
  const ids = encodeText(o.corpus!, tokenizer);
  let train = ids;
  let val: Uint32Array;
  let validation: string;
  if (o.val) {
    val = encodeText(o.val, tokenizer);
    validation = basename(o.val);
  } else {
    try {
      ({ train, val } = splitTrainVal(ids, T));
    } catch (error) {
      throw new Error(`${o.corpus}: ${(error as Error).message}`);
    }
    validation = `the last 10% of ${basename(o.corpus!)}`;
  }
  for (const [path, split, part] of [
    [o.corpus!, 'train', train],
    [o.val ?? o.corpus!, 'validation', val],
  ] as const) {
    if (part.length < T + 1)
      throw new Error(`${path}: ${part.length} ${split} tokens cannot fill one window of ${T}+1`);
  }
  const sha256 = await tokenizerSha256(json);
  const bytes = writeTokenFile({
    tokenizer: { kind: tokenizer.kind, sha256, vocabSize: tokenizer.vocabSize },
    train,
    val,
    corpus: basename(o.corpus!),
    validation,
  });
  const tmp = `${o.out}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, o.out!);
  progress(`${o.out}: ${train.length} train + ${val.length} validation tokens, ${bytes.length} bytes`);
  return {
    out: o.out,
    tokenizer: tokenizer.kind,
    tokenizerSha256: sha256,
    vocabSize: tokenizer.vocabSize,
    idBytes: idBytesFor(tokenizer.vocabSize),
    trainTokens: train.length,
    valTokens: val.length,
    bytes: bytes.length,
  };
}
