// One place that sets a step's dropout seed on every dropout site of a program: the elementwise dropout
// sites and attention's fused dropout all read the graph's shared seed tensor (see src/ops/dropout.ts).
import { dropoutStepSeed, setDropoutSeed } from '../ops/dropout.ts';
import type { Program } from '../runtime/program.ts';

export function setStepSeed(program: Program, runSeed: number, step: number): void {
  setDropoutSeed(program, dropoutStepSeed(runSeed, step));
}
