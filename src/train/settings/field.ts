// One numeric setting as data: its bounds, whether it is whole, and the words for it and its help. The
// settings schemas (pretrain, finetune, generate) are tables of these, so the CLI, the engine and the UI
// check a value the same way and say the same thing about it.

export interface NumberField {
  /** What messages call it: "the learning rate". */
  label: string;
  /** One line of help (CLI usage, form hints). */
  help: string;
  integer?: boolean;
  min: number;
  max: number;
  /** The bound itself is not allowed (a learning rate must be above 0). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** Forms show and take it in percent (the value itself is a fraction). */
  percent?: boolean;
  /** The field may be left empty: what empty means ("the model's context"). */
  emptyMeans?: string;
}

function bound(value: number, field: NumberField): string {
  const shown = field.percent ? value * 100 : value;
  return shown.toLocaleString('en-US', { maximumFractionDigits: 10 });
}

/** The allowed values in words: "a whole number from 1 to 48", "a number above 0 and below 1". */
export function rangeText(field: NumberField): string {
  const kind = field.integer ? 'a whole number' : field.percent ? 'a percentage' : 'a number';
  const min = bound(field.min, field);
  const max = bound(field.max, field);
  const range = field.minExclusive
    ? `above ${min} and ${field.maxExclusive ? 'below' : 'at most'} ${max}`
    : `from ${min} to ${field.maxExclusive ? 'below ' : ''}${max}`;
  const text = `${kind} ${range}`;
  return field.emptyMeans ? `empty (${field.emptyMeans}) or ${text}` : text;
}

/** Whether `value` is allowed (null only where the field may be empty). */
export function fieldAllows(field: NumberField, value: number | null): boolean {
  if (value === null) return field.emptyMeans !== undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (field.integer && !Number.isInteger(value)) return false;
  const aboveMin = field.minExclusive ? value > field.min : value >= field.min;
  const belowMax = field.maxExclusive ? value < field.max : value <= field.max;
  return aboveMin && belowMax;
}

/** The message for a value that is not allowed: "the learning rate must be a number above 0 … (got -1)". */
export function fieldProblem(field: NumberField, value: number | null): string | undefined {
  if (fieldAllows(field, value)) return undefined;
  return `${field.label} must be ${rangeText(field)} (got ${value})`;
}

/** A form's text for the field: empty → null, percent fields divided by 100; NaN when it is not a number. */
export function parseFieldText(field: NumberField, text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return field.emptyMeans !== undefined ? null : Number.NaN;
  const value = Number(trimmed);
  return field.percent ? value / 100 : value;
}

/** A value as a form shows it (percent fields times 100). */
export function fieldText(field: NumberField, value: number | null): string {
  if (value === null) return '';
  const shown = field.percent ? Number((value * 100).toPrecision(12)) : value;
  // Small rates read as people write them: 6.25e-5, not 0.0000625.
  return shown !== 0 && Math.abs(shown) < 1e-3 ? shown.toExponential() : String(shown);
}

/** A form's short message beside the field: "A whole number from 1 to 48." */
export function formProblem(field: NumberField, text: string): string | undefined {
  if (fieldAllows(field, parseFieldText(field, text))) return undefined;
  const words = rangeText(field);
  return `${words[0]!.toUpperCase()}${words.slice(1)}.`;
}

/** A table of fields (one recipe's numeric settings). */
export type FieldTable<K extends string> = Record<K, NumberField>;

/** The first field of `values` the table does not allow, with its message (fields absent from `values` skip). */
export function firstProblem<K extends string>(
  table: FieldTable<K>,
  values: NoInfer<Partial<Record<K, number | null>>>,
): { where: K; message: string } | undefined {
  for (const key of Object.keys(table) as K[]) {
    if (!(key in values)) continue;
    const message = fieldProblem(table[key], values[key] as number | null);
    if (message) return { where: key, message };
  }
  return undefined;
}
