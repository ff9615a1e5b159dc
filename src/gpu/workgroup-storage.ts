// How much workgroup memory an entry point uses, read from its WGSL the way Dawn counts it: the
// `var<workgroup>` variables the entry point reaches (directly or through the functions it calls), each
// rounded up to 16 bytes. Kernels that want more than WebGPU's default 16 KiB run only on devices opened
// with a larger maxComputeWorkgroupStorageSize, so the engine asks the adapter for what the largest kernel
// needs and offers a kernel only where the device's limit holds it. Not a WGSL parser: it relies on our
// shaders' style (module-scope `fn` and `var<workgroup>` declarations; no shadowing of their names).
import { overridesKey, type ShaderOverrides, shaderExpression } from './shader-constants.ts';
import { shaderNames, shaderSource } from './shader-library.ts';

const SCALAR_BYTES: Readonly<Record<string, number>> = { f32: 4, u32: 4, i32: 4, f16: 2 };
const WORKGROUP_VAR = /\bvar\s*<\s*workgroup\s*>\s*(\w+)\s*:\s*([^;]+);/g;
const FN_DECL = /\bfn\s+(\w+)\s*\(/g;
const IDENT = /\b[A-Za-z_]\w*\b/g;

interface Layout {
  size: number;
  align: number;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Size and alignment of a WGSL type (scalars, vectors, fixed-size arrays, atomics), per the WGSL spec. */
function typeLayout(shader: string, type: string, overrides: ShaderOverrides): Layout {
  const t = type.replace(/\s+/g, '');
  const scalar = SCALAR_BYTES[t];
  if (scalar !== undefined) return { size: scalar, align: scalar };
  const atomic = /^atomic<(\w+)>$/.exec(t);
  if (atomic) return typeLayout(shader, atomic[1]!, overrides);
  const vec = /^vec([234])<(\w+)>$/.exec(t);
  if (vec) {
    const n = Number(vec[1]);
    const s = typeLayout(shader, vec[2]!, overrides).size;
    return { size: n * s, align: (n === 3 ? 4 : n) * s };
  }
  const arr = /^array<(.+),([^,<>]+)>$/.exec(t);
  if (arr) {
    const element = typeLayout(shader, arr[1]!, overrides);
    const count = shaderExpression(shader, arr[2]!, overrides);
    return { size: count * roundUp(element.size, element.align), align: element.align };
  }
  throw new Error(`${shader}: cannot size the workgroup type ${type}`);
}

interface Module {
  entries: string[];
  functions: Map<string, string>;
  /** Workgroup variables by name, with their types (sized when an entry point uses them). */
  variables: Map<string, string>;
}

const modules = new Map<string, Module>();

/** The entry points, functions (name to body) and workgroup variables of shaders/<shader>. */
function moduleOf(shader: string): Module {
  const cached = modules.get(shader);
  if (cached) return cached;
  const text = shaderSource(shader)
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, '');
  const functions = new Map<string, string>();
  for (const m of text.matchAll(FN_DECL)) {
    const open = text.indexOf('{', m.index);
    let depth = 0;
    let end = open;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    functions.set(m[1]!, text.slice(open, end + 1));
  }
  const variables = new Map<string, string>();
  for (const m of text.matchAll(WORKGROUP_VAR)) variables.set(m[1]!, m[2]!);
  const entries = [...text.matchAll(/@compute\b[^{;]*?\bfn\s+(\w+)/g)].map((m) => m[1]!);
  const module = { entries, functions, variables };
  modules.set(shader, module);
  return module;
}

const entryBytes = new Map<string, number>();

/** Bytes of workgroup memory `entry` of shaders/<shader> uses (with `overrides`), as Dawn counts them. */
export function workgroupStorageBytes(shader: string, entry: string, overrides: ShaderOverrides = {}): number {
  const key = `${shader}#${entry}#${overridesKey(overrides)}`;
  const known = entryBytes.get(key);
  if (known !== undefined) return known;
  const { functions, variables } = moduleOf(shader);
  if (!functions.has(entry)) throw new Error(`${shader}: no function "${entry}"`);
  const seen = new Set<string>([entry]);
  const used = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const body = functions.get(pending.pop()!)!;
    for (const [name] of body.matchAll(IDENT)) {
      if (variables.has(name)) used.add(name);
      else if (functions.has(name) && !seen.has(name)) {
        seen.add(name);
        pending.push(name);
      }
    }
  }
  let total = 0;
  for (const name of used) total += roundUp(typeLayout(shader, variables.get(name)!, overrides).size, 16);
  entryBytes.set(key, total);
  return total;
}

let largest: number | undefined;
const specialisations: { shader: string; overrides: ShaderOverrides }[] = [];

/** Counts a specialisation of a shader's overrides (a kernel's larger tile) in largestWorkgroupStorage. */
export function registerSpecialisation(shader: string, overrides: ShaderOverrides): void {
  specialisations.push({ shader, overrides });
  largest = undefined;
}

/**
 * The most workgroup memory any entry point of shaders/ uses, with its default overrides or a registered
 * specialisation (a kernel variant's larger tile): what a device should allow, if it can.
 */
export function largestWorkgroupStorage(): number {
  if (largest !== undefined) return largest;
  largest = 0;
  for (const shader of shaderNames()) {
    for (const entry of moduleOf(shader).entries) largest = Math.max(largest, workgroupStorageBytes(shader, entry));
  }
  for (const { shader, overrides } of specialisations) {
    for (const entry of moduleOf(shader).entries) {
      largest = Math.max(largest, workgroupStorageBytes(shader, entry, overrides));
    }
  }
  return largest;
}
