// A small, strict option parser for the CLI: `--name value` and boolean `--flag`; unknown options,
// missing values and malformed numbers are errors that name the option. A number option tied to a settings
// field (src/train/settings) is checked against the field's bounds here, before any work starts.
import { fieldAllows, type NumberField, rangeText } from '../train/settings/field.ts';

export interface OptionSpec {
  type: 'string' | 'number' | 'boolean';
  help: string;
  required?: boolean;
  /** The settings field a number option sets: its bounds are checked while parsing. */
  field?: NumberField;
}

/** A number option for a settings field: its help says what it is, what it takes and its default. */
export function fieldOption(field: NumberField, defaultText: string): OptionSpec & { type: 'number' } {
  const words = field.percent ? { ...field, percent: false } : field; // the CLI takes fractions
  return { type: 'number', help: `${field.help}: ${rangeText(words)} (default ${defaultText})`, field: words };
}

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'number'
  ? number
  : S['type'] extends 'boolean'
    ? boolean
    : string;
export type ParsedOptions<S extends OptionSpecs> = { [K in keyof S]?: ValueOf<S[K]> };

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseOptions<S extends OptionSpecs>(args: string[], specs: S): ParsedOptions<S> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const name = arg.slice(2);
    const spec = specs[name];
    if (!spec)
      throw new UsageError(
        `unknown option --${name} (options: ${Object.keys(specs)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (spec.type === 'boolean') {
      out[name] = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    if (spec.type === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n))
        throw new UsageError(`--${name} must be a number, got "${value}"`);
      if (spec.field && !fieldAllows(spec.field, n)) {
        throw new UsageError(`--${name} must be ${rangeText(spec.field)}, got ${value}`);
      }
      out[name] = n;
    } else out[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && out[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  return out as ParsedOptions<S>;
}

export function optionsHelp(specs: OptionSpecs): string {
  return Object.entries(specs)
    .map(([name, s]) => {
      const flag = `    --${name}${s.type === 'boolean' ? '' : ` <${s.type}>`}`;
      return `${flag.padEnd(30)} ${s.help}`;
    })
    .join('\n');
}
