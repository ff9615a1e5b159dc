// Numbers the WGSL owns, read from the source (after includes) so TypeScript never retypes them: the
// module-scope `const` declarations of a file and the `@workgroup_size` of each entry point. Launch glue
// sizes its grids from them and tests derive tolerances from them, so a change in a shader reaches both.
// Only what a `const` can hold here is evaluated: number literals, other constants, + - * / % and
// parentheses; anything else (vectors, function calls) is reported as such when asked for.
// `override` declarations are read like constants, with their default values, or with the values a
// pipeline gives them (`overrides`: a kernel specialised at pipeline creation, e.g. a tile size).
import { shaderSource } from './shader-library.ts';

export type WorkgroupSize = readonly [number, number, number];

export interface ShaderConstants {
  /** Module-scope constants by name, with their values (numbers) or why they have none (strings). */
  constants: ReadonlyMap<string, number | string>;
  /** @workgroup_size of each entry point, by entry name. */
  workgroupSizes: ReadonlyMap<string, WorkgroupSize>;
}

const CONST_DECL = /\b(const|override)\s+(\w+)\s*(?::\s*(\w+))?\s*=\s*([^;]+);/g;

/** Values for `override` declarations, by name (a pipeline's `constants`). */
export type ShaderOverrides = Readonly<Record<string, number>>;
const WORKGROUP_SIZE = /@workgroup_size\s*\(([^)]*)\)((?:\s*@\w+(?:\s*\([^)]*\))?)*)\s*fn\s+(\w+)/g;
const TOKEN = /\s*(0[xX][0-9a-fA-F]+[iu]?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fhiu]?|\w+|[-+*/%()])/y;

/** The source without comments and without anything inside braces: what is declared at module scope. */
function moduleScope(source: string): string {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
  let depth = 0;
  let out = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

interface Value {
  v: number;
  int: boolean;
}

/** Evaluates a constant expression; `lookup` gives other constants. Throws on anything it cannot read. */
function evaluate(expr: string, lookup: (name: string) => Value): Value {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (!/^\s*$/.test(expr.slice(TOKEN.lastIndex))) {
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`cannot read "${expr.trim()}"`);
    tokens.push(m[1]!);
  }
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error(`"${expr.trim()}" ends early`);
    return t;
  };
  const binary = (a: Value, op: string, b: Value): Value => {
    const int = a.int && b.int;
    if (op === '+') return { v: a.v + b.v, int };
    if (op === '-') return { v: a.v - b.v, int };
    if (op === '*') return { v: a.v * b.v, int };
    if (op === '/') return { v: int ? Math.trunc(a.v / b.v) : a.v / b.v, int };
    return { v: a.v % b.v, int };
  };
  const primary = (): Value => {
    const t = next();
    if (t === '-') {
      const u = primary();
      return { v: -u.v, int: u.int };
    }
    if (t === '(') {
      const v = sum();
      if (next() !== ')') throw new Error(`unbalanced parentheses in "${expr.trim()}"`);
      return v;
    }
    if (/^0[xX]/.test(t)) return { v: Number.parseInt(t.replace(/[iu]$/, ''), 16), int: true };
    if (/^[\d.]/.test(t)) {
      const int = /^\d+[iu]?$/.test(t);
      return { v: Number(t.replace(/[fhiu]$/, '')), int };
    }
    if (/^\w+$/.test(t)) {
      if (peek() === '(') throw new Error(`"${expr.trim()}" calls ${t}()`);
      return lookup(t);
    }
    throw new Error(`unexpected "${t}" in "${expr.trim()}"`);
  };
  const product = (): Value => {
    let v = primary();
    while (peek() === '*' || peek() === '/' || peek() === '%') v = binary(v, next(), primary());
    return v;
  };
  const sum = (): Value => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = binary(v, next(), product());
    return v;
  };
  const v = sum();
  if (pos !== tokens.length) throw new Error(`unexpected "${tokens[pos]}" in "${expr.trim()}"`);
  return v;
}

/**
 * Reads the module-scope constants and entry-point workgroup sizes of a WGSL source (after includes).
 * `file` names the source in errors: a workgroup size that cannot be evaluated throws here.
 */
export function parseShaderConstants(
  source: string,
  file = 'shader',
  overrides: ShaderOverrides = {},
): ShaderConstants {
  const scope = moduleScope(source);
  const declared = new Map<string, { type: string | undefined; expr: string }>();
  for (const m of scope.matchAll(CONST_DECL)) {
    const [, kind, name, type, expr] = m;
    const given = overrides[name!];
    declared.set(name!, { type, expr: kind === 'override' && given !== undefined ? String(given) : expr! });
  }
  for (const name of Object.keys(overrides)) {
    if (!scope.match(new RegExp(`\\boverride\\s+${name}\\b`))) throw new Error(`${file}: no override "${name}"`);
  }

  const values = new Map<string, Value | string>();
  const resolving = new Set<string>();
  const resolve = (name: string): Value => {
    const known = values.get(name);
    if (typeof known === 'string') throw new Error(known);
    if (known) return known;
    const decl = declared.get(name);
    if (!decl) throw new Error(`"${name}" is not a module-scope constant`);
    if (resolving.has(name)) throw new Error(`"${name}" is defined in terms of itself`);
    resolving.add(name);
    try {
      const v = evaluate(decl.expr, resolve);
      const value = decl.type === 'f32' || decl.type === 'f16' ? { v: v.v, int: false } : v;
      values.set(name, value);
      return value;
    } catch (e) {
      values.set(name, (e as Error).message);
      throw e;
    } finally {
      resolving.delete(name);
    }
  };
  const constants = new Map<string, number | string>();
  for (const name of declared.keys()) {
    try {
      constants.set(name, resolve(name).v);
    } catch (e) {
      constants.set(name, (e as Error).message);
    }
  }

  const workgroupSizes = new Map<string, WorkgroupSize>();
  for (const m of scope.matchAll(WORKGROUP_SIZE)) {
    const entry = m[3]!;
    const dims = m[1]!
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const size = [1, 1, 1] as [number, number, number];
    dims.forEach((expr, i) => {
      let v: Value;
      try {
        v = evaluate(expr, resolve);
      } catch (e) {
        throw new Error(`${file}: @workgroup_size of ${entry}: ${(e as Error).message}`);
      }
      if (!v.int || v.v < 1) throw new Error(`${file}: @workgroup_size of ${entry} has ${expr} = ${v.v}`);
      size[i] = v.v;
    });
    workgroupSizes.set(entry, size);
  }
  return { constants, workgroupSizes };
}

const parsed = new Map<string, ShaderConstants>();

/** A stable key for a set of overrides ('' for none). */
export function overridesKey(overrides: ShaderOverrides = {}): string {
  return Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${overrides[k]}`)
    .join(',');
}

function constantsOf(shader: string, overrides: ShaderOverrides = {}): ShaderConstants {
  const key = `${shader}|${overridesKey(overrides)}`;
  let c = parsed.get(key);
  if (!c) {
    c = parseShaderConstants(shaderSource(shader), shader, overrides);
    parsed.set(key, c);
  }
  return c;
}

/**
 * Value of a module-scope constant (or override) of shaders/<shader> (its includes' constants too), with
 * `overrides` given to its overrides; throws naming both.
 */
export function shaderConstant(shader: string, name: string, overrides: ShaderOverrides = {}): number {
  const { constants } = constantsOf(shader, overrides);
  const value = constants.get(name);
  if (value === undefined) {
    const known = [...constants.keys()].join(', ') || 'none';
    throw new Error(`${shader}: no module-scope constant "${name}" (after includes it declares ${known})`);
  }
  if (typeof value === 'string') throw new Error(`${shader}: constant "${name}" has no numeric value: ${value}`);
  return value;
}

/** shaderConstant for a constant that must be a non-negative integer (sizes, counts, slots). */
export function shaderInteger(shader: string, name: string, overrides: ShaderOverrides = {}): number {
  const value = shaderConstant(shader, name, overrides);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${shader}: constant "${name}" = ${value} is not a non-negative integer`);
  }
  return value;
}

/**
 * Evaluates a constant expression (an array length, say) against shaders/<shader>'s module-scope constants;
 * throws naming the shader when it cannot.
 */
export function shaderExpression(shader: string, expr: string, overrides: ShaderOverrides = {}): number {
  const { constants } = constantsOf(shader, overrides);
  const lookup = (name: string): Value => {
    const value = constants.get(name);
    if (typeof value !== 'number') throw new Error(`"${name}" is not a numeric module-scope constant`);
    return { v: value, int: Number.isInteger(value) };
  };
  try {
    return evaluate(expr, lookup).v;
  } catch (e) {
    throw new Error(`${shader}: ${(e as Error).message}`);
  }
}

/** The @workgroup_size of an entry point of shaders/<shader>, [x, y, z]; throws naming both. */
export function entryWorkgroupSize(shader: string, entry: string, overrides: ShaderOverrides = {}): WorkgroupSize {
  const size = constantsOf(shader, overrides).workgroupSizes.get(entry);
  if (!size) throw new Error(`${shader}: no entry point "${entry}" with an @workgroup_size`);
  return size;
}
