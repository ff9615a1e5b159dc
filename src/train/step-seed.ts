// One place that sets a step's dropout seed on every dropout site of a program: the elementwise
// dropout sites read a shared seed tensor, attention's fused dropout reads it from its params.
import { setAttentionDropoutSeed } from '../ops/attention.ts';
import { dropoutStepSeed, setDropoutSeed } from '../ops/dropout.ts';
import type { Program } from '../runtime/program.ts';

export function setStepSeed(program: Program, runSeed: number, step: number): void {
  const seed = dropoutStepSeed(runSeed, step);
  setDropoutSeed(program, seed);
  setAttentionDropoutSeed(program, seed);
}
