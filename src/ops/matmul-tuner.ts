// Autotuning of matmul variants per adapter: before a program is compiled, every distinct matmul shape in
// its graph (sizes, transposes, batching, epilogue) is timed with each variant on this device, and each
// node is switched to the fastest. Variants compute identical bits (matmul.gpu.test.ts proves it), so
// tuning changes speed only, never a result. Decisions are cached per adapter and kernel source, in
// memory and in an optional store (a JSON file for the CLI, OPFS in the browser), so a shape is timed
// once per machine rather than once per run.
import type { GpuContext } from '../gpu/device.ts';
import { shaderSource } from '../gpu/shader-library.ts';
import { timeDispatches } from '../runtime/dispatch-timing.ts';
import { type DispatchNode, Graph } from '../runtime/graph.ts';
import { type GraphTuner, Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import {
  chooseMatmulVariant,
  MATMUL_VARIANTS,
  type MatmulDims,
  type MatmulVariant,
  matmulDispatch,
  matmulVariantsFor,
  matmulWorkgroups,
} from './matmul.ts';

/** Persistent decisions: key (adapter, kernels, shape) to variant name. */
export interface TuningStore {
  load(): Promise<Record<string, string>>;
  save(entries: Record<string, string>): Promise<void>;
}

/** The decisions in a store's text, or an error saying what is wrong with the file `where`. */
export function parseTuningDecisions(text: string, where: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new Error(`${where} should hold an object of kernel names by shape, but holds ${found}`);
  }
  for (const [key, name] of Object.entries(value)) {
    if (typeof name !== 'string') {
      throw new Error(`${where}: the entry "${key}" should be a kernel name, but is ${JSON.stringify(name)}`);
    }
  }
  return value as Record<string, string>;
}

/** The text a store keeps: one decision per line, readable in an editor. */
export function formatTuningDecisions(entries: Record<string, string>): string {
  return `${JSON.stringify(entries, null, 1)}\n`;
}

export interface MatmulDecision {
  shape: string;
  variant: MatmulVariant;
  /** Median ms per dispatch of each candidate; empty when the decision came from the store. */
  ms: Partial<Record<MatmulVariant, number>>;
  /** How many dispatches of the tuned graphs have this shape. */
  nodes: number;
}

export interface MatmulTunerOptions {
  store?: TuningStore;
  /** Variants to consider (default: all); those beyond the device's workgroup limits are left out. */
  candidates?: readonly MatmulVariant[];
  /** Wall time per timed submit (default 20 ms). */
  targetMs?: number;
  log?: (line: string) => void;
}

const PER_THREAD_MIN_SIDE = 64; // below this on either side a one-output-per-thread kernel can win

/** Which variant, and whether the pre-activation twin, a node runs; undefined for non-matmul nodes. */
function matmulKernelOf(node: DispatchNode): { variant: MatmulVariant; preact: boolean } | undefined {
  for (const [variant, info] of Object.entries(MATMUL_VARIANTS) as [MatmulVariant, typeof MATMUL_VARIANTS.naive][]) {
    if (node.kernel.entry === info.forward.entry) return { variant, preact: false };
    if (node.kernel.entry === info.preact.entry) return { variant, preact: true };
  }
  return undefined;
}

/** Everything about a dispatch that can change which variant is fastest (operand offsets cannot). */
function shapeKey(p: Readonly<Record<string, number>>, preact: boolean): string {
  const flags = [
    p.trans_a ? 'A^T' : '',
    p.trans_b ? 'B^T' : '',
    p.reduce_batch ? 'sum-batch' : '',
    p.has_bias ? 'bias' : '',
    p.gelu ? (preact ? 'gelu+preact' : 'gelu') : '',
    p.accumulate ? 'acc' : '',
  ].filter(Boolean);
  const batch = (p.nb ?? 1) > 1 ? ` nb ${p.nb} strides ${p.stride_a}/${p.stride_b}/${p.stride_c}` : '';
  return `${p.M}x${p.K}x${p.N}${batch}${flags.length ? ` ${flags.join(' ')}` : ''}`;
}

let version: string | undefined;

/** FNV-1a of the matmul sources (computed once): decisions measured on other kernels are not reused. */
function kernelsVersion(): string {
  if (version) return version;
  const sources = [...new Set(Object.values(MATMUL_VARIANTS).map((v) => v.forward.shader))].map(shaderSource);
  let h = 0x811c9dc5;
  for (const s of sources) {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  }
  version = h.toString(16).padStart(8, '0');
  return version;
}

function dimsOf(p: Readonly<Record<string, number>>): MatmulDims {
  return {
    M: p.M!,
    N: p.N!,
    K: p.K!,
    nb: p.nb,
    transA: p.trans_a === 1,
    transB: p.trans_b === 1,
    strideA: p.stride_a,
    strideB: p.stride_b,
    strideC: p.stride_c,
    gelu: p.gelu === 1,
    accumulate: p.accumulate === 1 ? 1 : 0,
    reduceBatch: p.reduce_batch === 1,
  };
}

export class MatmulTuner implements GraphTuner {
  /** Decisions by shape key, in the order they were made. */
  readonly decisions = new Map<string, MatmulDecision>();
  /** Seconds spent timing candidates so far. */
  tuningSeconds = 0;
  private stored: Promise<Record<string, string>> | undefined;

  constructor(private readonly options: MatmulTunerOptions = {}) {
    if (options.candidates?.length === 0) throw new Error('matmul tuner: no candidate variants');
  }

  async tune(ctx: GpuContext, graph: Graph): Promise<void> {
    const groups = new Map<string, { nodes: DispatchNode[]; preact: boolean }>();
    for (const node of graph.nodes) {
      const kind = matmulKernelOf(node);
      if (!kind) continue;
      const key = shapeKey(node.params, kind.preact);
      const group = groups.get(key) ?? { nodes: [], preact: kind.preact };
      group.nodes.push(node);
      groups.set(key, group);
    }
    if (groups.size === 0) return;
    const stored = await this.loadStore();
    const prefix = `${ctx.adapter.name}|${kernelsVersion()}|`;
    // A device opened without the adapter's larger workgroup memory cannot run every variant.
    const allowed = matmulVariantsFor(ctx.device.limits, this.allowed());
    if (allowed.length === 0) throw new Error('matmul tuner: no candidate variant fits this device');
    let changed = false;
    for (const [key, { nodes, preact }] of groups) {
      let decision = this.decisions.get(key);
      if (!decision) {
        const known = stored[prefix + key] as MatmulVariant | undefined;
        // A stored choice outside the allowed candidates (or of a variant since removed) is measured again.
        if (known && allowed.includes(known)) {
          decision = { shape: key, variant: known, ms: {}, nodes: 0 };
        } else {
          decision = await this.measure(ctx, key, nodes[0]!, preact, allowed);
          stored[prefix + key] = decision.variant;
          changed = true;
        }
        this.decisions.set(key, decision);
      }
      decision.nodes += nodes.length;
      for (const node of nodes) retarget(node, decision.variant, preact);
    }
    if (changed) await this.options.store?.save(stored);
  }

  private allowed(): readonly MatmulVariant[] {
    return this.options.candidates ?? (Object.keys(MATMUL_VARIANTS) as MatmulVariant[]);
  }

  private loadStore(): Promise<Record<string, string>> {
    this.stored ??= this.options.store
      ? this.options.store.load().catch((e: unknown) => {
          this.options.log?.(`matmul tuner: ignoring the stored decisions (${(e as Error).message})`);
          return {};
        })
      : Promise.resolve({});
    return this.stored;
  }

  /** Times every candidate on buffers of this shape's sizes and returns the fastest. */
  private async measure(
    ctx: GpuContext,
    key: string,
    node: DispatchNode,
    preact: boolean,
    allowed: readonly MatmulVariant[],
  ): Promise<MatmulDecision> {
    const p = node.params;
    const dims = dimsOf(p);
    const skinny = Math.min(dims.M, dims.N) < PER_THREAD_MIN_SIDE;
    // The default for the shape goes first, so losers are recognised (and dropped) early.
    const first = chooseMatmulVariant(dims.M, dims.N, dims.reduceBatch ? 1 : (dims.nb ?? 1));
    const candidates = allowed
      .filter((v) => v !== 'naive' || skinny || allowed.length === 1)
      .sort((a, b) => Number(b === first) - Number(a === first));
    const started = performance.now();
    const g = new Graph();
    const nb = dims.nb ?? 1;
    const extent = (stride: number | undefined, size: number) => (nb - 1) * (stride ?? size) + size;
    const outBatches = dims.reduceBatch ? 1 : nb;
    const out = g.state('out', [extent(outBatches > 1 ? dims.strideC : 0, dims.M * dims.N)]);
    const bufs: { a: Tensor; b: Tensor; out: Tensor; bias?: Tensor; preact?: Tensor } = {
      a: g.input('a', [extent(dims.strideA, dims.M * dims.K)]),
      b: g.input('b', [extent(dims.strideB, dims.K * dims.N)]),
      out,
    };
    if (p.has_bias) bufs.bias = g.input('bias', [dims.N]);
    if (preact) bufs.preact = g.state('preact', out.shape);
    for (const variant of candidates) matmulDispatch(g, bufs, dims, { variant, label: `tune ${variant} ${key}` });
    const program = await Program.compile(ctx, g, { label: 'matmul-tuning', tune: false });
    const ms: Partial<Record<MatmulVariant, number>> = {};
    let best = Number.POSITIVE_INFINITY;
    try {
      // Zero-filled operands: f32 fma timing does not depend on the values. A candidate whose first run
      // takes over twice the best median so far has lost and is not timed further.
      for (const [i, variant] of candidates.entries()) {
        const t = await timeDispatches(ctx.device, program, i, i + 1, {
          targetMs: this.options.targetMs ?? 20,
          minRuns: 2,
          maxRuns: 3,
          giveUpAboveMs: 2 * best,
          warmup: i === 0, // the candidates share their buffers: the first one's warm-up serves all
        });
        ms[variant] = t.medianMs;
        best = Math.min(best, t.medianMs);
      }
    } finally {
      program.destroy();
    }
    this.tuningSeconds += (performance.now() - started) / 1000;
    const variant = candidates.reduce((best, v) => (ms[v]! < ms[best]! ? v : best));
    const timings = candidates.map((v) => `${v} ${ms[v]!.toPrecision(3)}`).join(', ');
    this.options.log?.(`matmul ${key}: ${variant} (ms: ${timings})`);
    return { shape: key, variant, ms, nodes: 0 };
  }
}

/** Switches a matmul node to `variant` (same bindings and params, that variant's kernel and grid). */
function retarget(node: DispatchNode, variant: MatmulVariant, preact: boolean): void {
  const p = node.params;
  const info = MATMUL_VARIANTS[variant];
  node.kernel = preact ? info.preact : info.forward;
  node.workgroups = matmulWorkgroups(variant, p.M!, p.N!, p.reduce_batch ? 1 : p.nb!);
}
