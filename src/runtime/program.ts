// A compiled graph: buffers allocated from the memory plan, pipelines and bind groups created once,
// params packed into one uniform buffer, dispatch grids resolved against the device's limits. Running it
// encodes every dispatch into one compute pass and submits once; nothing is allocated per run. Reads are
// explicit sync points.
import type { GpuContext } from '../gpu/device.ts';
import { withErrorScopes } from '../gpu/error-scope.ts';
import { overridesKey } from '../gpu/shader-constants.ts';
import { shaderSource } from '../gpu/shader-library.ts';
import type { DispatchNode, Graph } from './graph.ts';
import { resolveGrid, type Workgroups } from './grid.ts';
import { type KernelSpec, kernelBindings, kernelLimitProblem, packParams, paramsByteSize } from './kernel.ts';
import { alignUp, type MemoryPlan, planMemory } from './memory-plan.ts';
import type { Tensor } from './tensor.ts';

interface CompiledDispatch {
  node: DispatchNode;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  /** The node's grid on this device (a workgroup count folded with its per-dimension limit). */
  workgroups: Workgroups;
}

interface KernelPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const pipelineCaches = new WeakMap<GPUDevice, Map<string, Promise<KernelPipeline>>>();
// The module with its compilation info, asked for once at creation: in Chromium a later
// getCompilationInfo() on an already-compiled module does not resolve until something else
// flushes the device (e.g. a queue submit), which hangs a compile that creates no other work.
const moduleCaches = new WeakMap<
  GPUDevice,
  Map<string, { module: GPUShaderModule; info: Promise<GPUCompilationInfo> }>
>();

/** The per-device cache in `caches`, created on first use. */
function cacheFor<V>(caches: WeakMap<GPUDevice, Map<string, V>>, device: GPUDevice): Map<string, V> {
  const existing = caches.get(device);
  if (existing) return existing;
  const cache = new Map<string, V>();
  caches.set(device, cache);
  return cache;
}

function shaderModule(
  device: GPUDevice,
  shader: string,
): { module: GPUShaderModule; info: Promise<GPUCompilationInfo> } {
  const cache = cacheFor(moduleCaches, device);
  let entry = cache.get(shader);
  if (!entry) {
    const module = device.createShaderModule({ label: shader, code: shaderSource(shader) });
    entry = { module, info: module.getCompilationInfo() };
    cache.set(shader, entry);
  }
  return entry;
}

/** One pipeline per (shader, entry, binding set) per device, with an explicit bind group layout. */
export function kernelPipeline(ctx: GpuContext, spec: KernelSpec): Promise<KernelPipeline> {
  const { device } = ctx;
  const cache = cacheFor(pipelineCaches, device);
  const key = `${spec.shader}#${spec.entry}#${spec.bindings.join(',')}#${overridesKey(spec.constants)}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = createKernelPipeline(ctx, spec);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function createKernelPipeline(ctx: GpuContext, spec: KernelSpec): Promise<KernelPipeline> {
  const { device } = ctx;
  const { module, info: compiled } = shaderModule(device, spec.shader);
  const info = await compiled;
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    const text = errors.map((m) => `${spec.shader}:${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
    throw new Error(`WGSL compilation failed:\n${text}`);
  }
  const layout = device.createBindGroupLayout({
    label: `${spec.entry}.layout`,
    entries: kernelBindings(spec).map((decl) => ({
      binding: decl.binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: {
        type: decl.access === 'uniform' ? 'uniform' : decl.access === 'read' ? 'read-only-storage' : 'storage',
      },
    })),
  });
  const pipelineLayout = device.createPipelineLayout({
    label: `${spec.entry}.pipeline-layout`,
    bindGroupLayouts: [layout],
  });
  // Synchronous creation inside error scopes: the engine compiles in its worker (or in Node), where
  // blocking is fine, and Chromium was seen to leave createComputePipelineAsync promises pending until
  // other device work flushed them. The scopes name the entry point of a pipeline that fails.
  const pipeline = await withErrorScopes(device, `creating pipeline ${spec.entry}`, () =>
    device.createComputePipeline({
      label: spec.entry,
      layout: pipelineLayout,
      compute: { module, entryPoint: spec.entry, ...(spec.constants ? { constants: { ...spec.constants } } : {}) },
    }),
  );
  return { pipeline, layout };
}

/**
 * WebGPU forbids binding one buffer both read-only and writable in a dispatch (usage is tracked per
 * buffer, not per range). The planner keeps activations in separate buffers; this catches the rest
 * (e.g. reading one parameter while writing another of the same packed buffer) with a clear message.
 */
function checkBufferUsage(graph: Graph, locate: (t: Tensor) => Location): void {
  for (const node of graph.nodes) {
    const access = new Map<GPUBuffer, { read?: string; write?: string }>();
    for (const decl of kernelBindings(node.kernel)) {
      if (decl.access === 'uniform') continue;
      const tensor = node.bindings[decl.name]!;
      const { buffer } = locate(tensor);
      const seen = access.get(buffer) ?? {};
      if (decl.access === 'read') seen.read ??= tensor.name;
      else seen.write ??= tensor.name;
      access.set(buffer, seen);
      if (seen.read && seen.write) {
        throw new Error(
          `${node.label}: reads ${seen.read} and writes ${seen.write}, which share one GPU buffer; ` +
            'WebGPU forbids read-only and writable use of one buffer in a dispatch',
        );
      }
    }
  }
}

export interface CompileOptions {
  /** Tensors the host reads after a run (kept alive to the end of the step). */
  keep?: readonly Tensor[];
  label?: string;
  /**
   * Bind tensors that `shareWith` already holds to its buffers instead of allocating them: evaluation and
   * generation programs use the training program's parameters this way. It must outlive this program.
   */
  shareWith?: Program;
  /** Let the device's graph tuner (setGraphTuner) choose kernels first (default true). */
  tune?: boolean;
}

/**
 * A pass that may swap a graph's kernels for equivalent ones that run faster on this device (the matmul
 * tuner picks a variant per shape by timing them). It runs before planning, so it must keep every node's
 * bindings and results; it only changes which kernel computes them.
 */
export interface GraphTuner {
  tune(ctx: GpuContext, graph: Graph): Promise<void>;
}

const tuners = new WeakMap<GPUDevice, GraphTuner>();

/** Installs (or, with undefined, removes) the tuner every later Program.compile on this device runs. */
export function setGraphTuner(ctx: GpuContext, tuner: GraphTuner | undefined): void {
  if (tuner) tuners.set(ctx.device, tuner);
  else tuners.delete(ctx.device);
}

interface Location {
  buffer: GPUBuffer;
  offset: number;
}

export class Program {
  private readonly readbacks = new Map<number, GPUBuffer>();
  private destroyed = false;

  private constructor(
    private readonly ctx: GpuContext,
    readonly graph: Graph,
    readonly plan: MemoryPlan,
    private readonly buffers: GPUBuffer[],
    private readonly dispatches: CompiledDispatch[],
    private readonly uniformBuffer: GPUBuffer | undefined,
    readonly label: string,
    private readonly shared: Program | undefined,
    private readonly external: ReadonlySet<Tensor>,
  ) {}

  static async compile(ctx: GpuContext, graph: Graph, options: CompileOptions = {}): Promise<Program> {
    const { device } = ctx;
    const label = options.label ?? 'program';
    if (options.tune !== false) await tuners.get(device)?.tune(ctx, graph);
    // Before any pipeline exists: a kernel beyond this device's workgroup limits fails here, named.
    for (const node of graph.nodes) {
      const problem = kernelLimitProblem(node.kernel, device.limits);
      if (problem) throw new Error(`${label}: ${node.label}: ${problem}`);
    }
    // After tuning (a tuner may swap a node's kernel and grid), before anything is allocated.
    const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    const grids = graph.nodes.map((node) => resolveGrid(node.workgroups, maxPerDim, `${label}: ${node.label}`));
    const shared = options.shareWith;
    const external = new Set(shared ? graph.tensors.filter((t) => shared.holds(t)) : []);
    const plan = planMemory(graph, {
      alignment: device.limits.minStorageBufferOffsetAlignment,
      maxBufferSize: device.limits.maxBufferSize,
      keep: options.keep,
      external,
    });
    if (plan.largestTensorBytes > device.limits.maxStorageBufferBindingSize) {
      throw new Error(
        `${label}: a tensor of ${plan.largestTensorBytes} bytes exceeds maxStorageBufferBindingSize ` +
          `${device.limits.maxStorageBufferBindingSize}; open the device with the limits the plan needs`,
      );
    }
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    // Allocation is where out-of-memory surfaces: always inside error scopes.
    const buffers = await withErrorScopes(device, `allocating ${label} (${plan.totalBytes} bytes)`, () =>
      plan.buffers.map((b, i) =>
        device.createBuffer({ label: `${label}.${b.storage}.${i}`, size: Math.max(4, b.bytes), usage }),
      ),
    );

    const uniformAlign = device.limits.minUniformBufferOffsetAlignment;
    let uniformBytes = 0;
    const uniformOffsets = graph.nodes.map((node) => {
      const offset = uniformBytes;
      uniformBytes += alignUp(paramsByteSize(node.kernel), uniformAlign);
      return offset;
    });
    const uniformData = new ArrayBuffer(Math.max(16, uniformBytes));
    graph.nodes.forEach((node, i) => {
      packParams(node.kernel, node.params, new DataView(uniformData, uniformOffsets[i], paramsByteSize(node.kernel)));
    });
    const uniformBuffer =
      uniformBytes > 0
        ? device.createBuffer({
            label: `${label}.params`,
            size: uniformData.byteLength,
            usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
          })
        : undefined;
    if (uniformBuffer) device.queue.writeBuffer(uniformBuffer, 0, uniformData);

    const locate = (t: Tensor): Location => {
      if (external.has(t)) return shared!.locate(t);
      const place = plan.placements.get(t)!;
      return { buffer: buffers[place.buffer]!, offset: place.offset };
    };
    checkBufferUsage(graph, locate);
    const pipelines = await Promise.all(graph.nodes.map((node) => kernelPipeline(ctx, node.kernel)));
    const dispatches = graph.nodes.map((node, i): CompiledDispatch => {
      const { pipeline, layout } = pipelines[i]!;
      const entries = kernelBindings(node.kernel).map((decl): GPUBindGroupEntry => {
        if (decl.access === 'uniform') {
          return {
            binding: decl.binding,
            resource: { buffer: uniformBuffer!, offset: uniformOffsets[i]!, size: paramsByteSize(node.kernel) },
          };
        }
        const tensor = node.bindings[decl.name]!;
        return { binding: decl.binding, resource: { ...locate(tensor), size: tensor.bytes } };
      });
      const bindGroup = device.createBindGroup({ label: node.label, layout, entries });
      return { node, pipeline, bindGroup, workgroups: grids[i]! };
    });
    // Chromium: a mapAsync issued in the same task that awaited fresh pipelines can stay pending until
    // something else flushes the device. One macrotask here, once per compile, avoids that.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return new Program(ctx, graph, plan, buffers, dispatches, uniformBuffer, label, shared, external);
  }

  /** Whether this program has memory for `t` (its own or shared). */
  holds(t: Tensor): boolean {
    return this.plan.placements.has(t) || this.external.has(t);
  }

  private locate(t: Tensor): Location {
    if (this.external.has(t)) return this.shared!.locate(t);
    const place = this.plan.placements.get(t);
    if (!place) throw new Error(`${this.label}: ${t} is not bound by any dispatch and was not kept`);
    return { buffer: this.buffers[place.buffer]!, offset: place.offset };
  }

  /** Where a tensor lives, for copies recorded by callers (e.g. the readback ring). */
  location(t: Tensor): Location {
    return this.locate(t);
  }

  /** Uploads host data into a tensor (queued; ordered before the next submit). */
  write(t: Tensor, data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>): void {
    if (data.length !== t.size) throw new Error(`write ${t}: got ${data.length} values, expected ${t.size}`);
    if ((t.dtype === 'u32') !== data instanceof Uint32Array) throw new Error(`write ${t}: wrong array type`);
    const { buffer, offset } = this.locate(t);
    this.ctx.device.queue.writeBuffer(buffer, offset, data);
  }

  /**
   * Records every dispatch (or those in [from, to)) into one compute pass of `encoder`. `timestampWrites`
   * (devices with 'timestamp-query') brackets the pass with GPU timestamps: benchmarks time one dispatch so.
   */
  encode(
    encoder: GPUCommandEncoder,
    from = 0,
    to = this.dispatches.length,
    timestampWrites?: GPUComputePassTimestampWrites,
  ): void {
    const pass = encoder.beginComputePass(
      timestampWrites ? { label: this.label, timestampWrites } : { label: this.label },
    );
    for (const d of this.dispatches.slice(from, to)) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      const [x, y, z] = d.workgroups;
      pass.dispatchWorkgroups(x, y, z);
    }
    pass.end();
  }

  /** One command buffer, one submit. */
  run(): void {
    if (this.destroyed) throw new Error(`${this.label} was destroyed`);
    const encoder = this.ctx.device.createCommandEncoder({ label: this.label });
    this.encode(encoder);
    this.ctx.device.queue.submit([encoder.finish()]);
  }

  /** Copies a tensor to the host. A sync point: it waits for all submitted work. */
  async read(t: Tensor): Promise<Float32Array | Uint32Array> {
    const { buffer, offset } = this.locate(t);
    let staging = this.readbacks.get(t.id);
    if (!staging) {
      staging = this.ctx.device.createBuffer({
        label: `read ${t.name}`,
        size: t.bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      this.readbacks.set(t.id, staging);
    }
    const encoder = this.ctx.device.createCommandEncoder({ label: `read ${t.name}` });
    encoder.copyBufferToBuffer(buffer, offset, staging, 0, t.bytes);
    this.ctx.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    return t.dtype === 'u32' ? new Uint32Array(bytes) : new Float32Array(bytes);
  }

  async readF32(t: Tensor): Promise<Float32Array> {
    const data = await this.read(t);
    if (!(data instanceof Float32Array)) throw new Error(`${t} is not f32`);
    return data;
  }

  get dispatchCount(): number {
    return this.dispatches.length;
  }

  /** The grid dispatch `index` runs with on this device. */
  gridOf(index: number): Workgroups {
    const d = this.dispatches[index];
    if (!d) throw new Error(`${this.label}: no dispatch ${index} (it has ${this.dispatches.length})`);
    return d.workgroups;
  }

  destroy(): void {
    this.destroyed = true;
    for (const b of this.buffers) b.destroy();
    for (const b of this.readbacks.values()) b.destroy();
    this.uniformBuffer?.destroy();
  }
}
