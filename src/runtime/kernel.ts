// Kernel specs: one WGSL entry point plus the names of the bindings it uses. The binding slots, their
// access modes and the layout of the `Params` uniform are read from the WGSL source itself, so the
// shader is the single source of truth and the launch glue passes buffers and params by name. Each
// entry point's workgroup size is read from the WGSL too (src/gpu/shader-constants.ts).
import { entryWorkgroupSize, type ShaderOverrides, type WorkgroupSize } from '../gpu/shader-constants.ts';
import { shaderSource } from '../gpu/shader-library.ts';
import { registerSpecialisation, workgroupStorageBytes } from '../gpu/workgroup-storage.ts';

export interface KernelSpec {
  /** File in shaders/, e.g. "layernorm.wgsl". */
  shader: string;
  /** WGSL entry point, e.g. "layernorm_forward". */
  entry: string;
  /** Storage bindings the entry point uses, by their WGSL variable names. */
  bindings: readonly string[];
  /** Values of the shader's `override` declarations for this kernel (a variant's tile size); default none. */
  constants?: ShaderOverrides;
}

export function kernel(
  shader: string,
  entry: string,
  bindings: readonly string[],
  constants?: ShaderOverrides,
): KernelSpec {
  if (!constants) return { shader, entry, bindings };
  registerSpecialisation(shader, constants); // a device should ask for the workgroup memory it may need
  return { shader, entry, bindings, constants };
}

/** The entry point's @workgroup_size, [x, y, z], as the WGSL declares it (with the kernel's overrides). */
export function workgroupSize(spec: KernelSpec): WorkgroupSize {
  return entryWorkgroupSize(spec.shader, spec.entry, spec.constants);
}

/** The device limits a kernel's workgroup must fit. */
export type WorkgroupLimits = Pick<
  GPUSupportedLimits,
  'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup'
>;

/**
 * Why a kernel cannot run on a device with `limits` (its workgroup memory or invocations exceed them), or
 * undefined when it can. Read from the WGSL, as Dawn counts them, so this agrees with pipeline validation.
 */
export function kernelLimitProblem(spec: KernelSpec, limits: WorkgroupLimits): string | undefined {
  const bytes = workgroupStorageBytes(spec.shader, spec.entry, spec.constants);
  if (bytes > limits.maxComputeWorkgroupStorageSize) {
    return `${spec.entry} uses ${bytes} bytes of workgroup memory, above the device's maxComputeWorkgroupStorageSize ${limits.maxComputeWorkgroupStorageSize}`;
  }
  const [x, y, z] = workgroupSize(spec);
  if (x * y * z > limits.maxComputeInvocationsPerWorkgroup) {
    return `${spec.entry} runs ${x * y * z} invocations per workgroup, above the device's maxComputeInvocationsPerWorkgroup ${limits.maxComputeInvocationsPerWorkgroup}`;
  }
  return undefined;
}

export type BindingAccess = 'read' | 'read_write' | 'uniform';

export interface BindingDecl {
  name: string;
  group: number;
  binding: number;
  access: BindingAccess;
}

export interface ParamField {
  name: string;
  type: 'u32' | 'f32' | 'i32';
}

export interface ShaderInterface {
  bindings: Map<string, BindingDecl>;
  /** Fields of `struct Params`, in order; each is one 4-byte scalar. */
  params: ParamField[];
}

const BINDING_DECL =
  /@group\((\d+)\)\s*@binding\((\d+)\)\s*var<\s*(storage|uniform)\s*(?:,\s*(read|read_write))?\s*>\s*(\w+)\s*:/g;
const PARAMS_STRUCT = /struct\s+Params\s*\{([^}]*)\}/;
const PARAM_FIELD = /(\w+)\s*:\s*(u32|f32|i32)\s*,?/g;

const interfaces = new Map<string, ShaderInterface>();

/** Parses the bindings and the Params struct of a WGSL source (after includes). */
export function parseShaderInterface(source: string): ShaderInterface {
  const bindings = new Map<string, BindingDecl>();
  for (const m of source.matchAll(BINDING_DECL)) {
    const [, group, binding, space, access, name] = m;
    bindings.set(name!, {
      name: name!,
      group: Number(group),
      binding: Number(binding),
      access: space === 'uniform' ? 'uniform' : access === 'read_write' ? 'read_write' : 'read',
    });
  }
  const params: ParamField[] = [];
  const struct = PARAMS_STRUCT.exec(source);
  if (struct) {
    const body = struct[1]!.replace(/\/\/[^\n]*/g, '');
    for (const f of body.matchAll(PARAM_FIELD)) params.push({ name: f[1]!, type: f[2] as ParamField['type'] });
  }
  return { bindings, params };
}

export function shaderInterface(shader: string): ShaderInterface {
  let parsed = interfaces.get(shader);
  if (!parsed) {
    parsed = parseShaderInterface(shaderSource(shader));
    interfaces.set(shader, parsed);
  }
  return parsed;
}

/** The binding declarations a kernel uses (storage bindings in spec order, then `params` if declared). */
export function kernelBindings(spec: KernelSpec): BindingDecl[] {
  const iface = shaderInterface(spec.shader);
  const decls = spec.bindings.map((name) => {
    const decl = iface.bindings.get(name);
    if (!decl)
      throw new Error(`${spec.shader}: ${spec.entry} uses binding "${name}", which the shader does not declare`);
    if (decl.access === 'uniform')
      throw new Error(`${spec.shader}: "${name}" is a uniform; list only storage bindings`);
    return decl;
  });
  const params = iface.bindings.get('params');
  if (params && iface.params.length > 0) decls.push(params);
  return decls;
}

/** Size of the Params uniform in bytes, rounded up to 16 as uniform buffers require. */
export function paramsByteSize(spec: KernelSpec): number {
  const n = shaderInterface(spec.shader).params.length;
  return Math.max(16, Math.ceil((n * 4) / 16) * 16);
}

/** Packs named values into the Params layout; every field must be given, and nothing else. */
export function packParams(spec: KernelSpec, values: Readonly<Record<string, number>>, into?: DataView): ArrayBuffer {
  const fields = shaderInterface(spec.shader).params;
  const view = into ?? new DataView(new ArrayBuffer(paramsByteSize(spec)));
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new Error(`${spec.entry}: unknown param "${key}" (Params has ${[...known].join(', ')})`);
  }
  fields.forEach((field, i) => {
    const value = values[field.name];
    if (value === undefined) {
      // Entry points of one file share Params; a field this entry point does not read may be left out.
      view.setUint32(i * 4, 0, true);
      return;
    }
    if (field.type === 'f32') view.setFloat32(i * 4, value, true);
    else if (field.type === 'i32') view.setInt32(i * 4, value, true);
    else {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new Error(`${spec.entry}: param ${field.name} = ${value} is not a u32`);
      }
      view.setUint32(i * 4, value, true);
    }
  });
  return view.buffer as ArrayBuffer;
}
