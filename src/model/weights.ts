// Host-side parameter values: GPT-1's initialisation, and moving a name -> Float32Array map in and out of
// a compiled program. The map uses parameter-table names (params.ts), as checkpoints and HF import do.
import type { Program } from '../runtime/program.ts';
import { CounterRng } from '../runtime/random.ts';
import type { Tensor } from '../runtime/tensor.ts';
import type { Gpt1Config } from './config.ts';
import { type HeadSpec, numel, parameterTable } from './params.ts';

export type ParamValues = Map<string, Float32Array<ArrayBuffer>>;

/** The random stream of parameter initialisation (see random.ts: one stream per use of the run seed). */
export const INIT_STREAM = 2;

/** N(0, initializerRange²) for matrices, ones for LayerNorm gains, zeros for biases (GPT-1, HF _init_weights). */
export function initParams(config: Gpt1Config, seed: number, heads: HeadSpec = {}): ParamValues {
  const rng = new CounterRng(seed, INIT_STREAM);
  const values: ParamValues = new Map();
  for (const spec of parameterTable(config, heads)) {
    const data = new Float32Array(numel(spec.shape));
    if (spec.init === 'ones') data.fill(1);
    else if (spec.init === 'normal')
      for (let i = 0; i < data.length; i++) data[i] = config.initializerRange * rng.normal();
    values.set(spec.name, data);
  }
  return values;
}

/** Uploads every parameter the program holds; missing or mis-sized values are refused before any write. */
export function uploadParams(program: Program, params: Map<string, Tensor>, values: ParamValues): void {
  const problems: string[] = [];
  for (const [name, tensor] of params) {
    const data = values.get(name);
    if (!data) problems.push(`${name} is missing`);
    else if (data.length !== tensor.size) problems.push(`${name} has ${data.length} values, expected ${tensor.size}`);
  }
  if (problems.length) throw new Error(`Cannot load parameters: ${problems.join('; ')}`);
  for (const [name, tensor] of params) program.write(tensor, values.get(name)!);
}

/** Reads every parameter back (a sync point). */
export async function readParams(program: Program, params: Map<string, Tensor>): Promise<ParamValues> {
  const values: ParamValues = new Map();
  for (const [name, tensor] of params) values.set(name, (await program.readF32(tensor)) as Float32Array<ArrayBuffer>);
  return values;
}
