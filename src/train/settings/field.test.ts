// Settings fields: the words for a range, which values pass (bounds, whole numbers, empty), form text in
// and out (percent fields), and the first problem of a table naming its field.
import { describe, expect, it } from 'vitest';
import {
  fieldAllows,
  fieldProblem,
  fieldText,
  firstProblem,
  formProblem,
  type NumberField,
  parseFieldText,
  rangeText,
} from './field.ts';
import { FINETUNE_FIELDS } from './finetune-settings.ts';
import { GENERATE_FIELDS } from './generate-settings.ts';
import { PRETRAIN_FIELDS } from './pretrain-settings.ts';

const layers: NumberField = { label: 'the number of layers', help: '', integer: true, min: 1, max: 48 };
const lr: NumberField = {
  label: 'the learning rate',
  help: '',
  min: 0,
  max: 1,
  minExclusive: true,
  maxExclusive: true,
};
const epochs: NumberField = { label: 'epochs', help: '', min: 0, max: 1000, minExclusive: true };
const warmup: NumberField = { label: 'the warm-up', help: '', min: 0, max: 1, maxExclusive: true, percent: true };
const context: NumberField = { label: 'the context', help: '', integer: true, min: 4, max: 512, emptyMeans: 'all' };

describe('a settings field', () => {
  it('says its range in words', () => {
    expect(rangeText(layers)).toBe('a whole number from 1 to 48');
    expect(rangeText(lr)).toBe('a number above 0 and below 1');
    expect(rangeText(epochs)).toBe('a number above 0 and at most 1,000');
    expect(rangeText(warmup)).toBe('a percentage from 0 to below 100');
    expect(rangeText(context)).toBe('empty (all) or a whole number from 4 to 512');
  });

  it('allows values inside its bounds only', () => {
    expect([1, 48, 0, 49, 1.5, Number.NaN, Number.POSITIVE_INFINITY].map((v) => fieldAllows(layers, v))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([0, 1e-9, 0.999, 1, -1].map((v) => fieldAllows(lr, v))).toEqual([false, true, true, false, false]);
    expect(fieldAllows(layers, null)).toBe(false);
    expect(fieldAllows(context, null)).toBe(true);
    expect(fieldProblem(lr, -1)).toBe('the learning rate must be a number above 0 and below 1 (got -1)');
    expect(fieldProblem(lr, 0.5)).toBeUndefined();
  });

  it('reads and writes form text; percent fields hold fractions', () => {
    expect(parseFieldText(warmup, '0.2')).toBeCloseTo(0.002, 15);
    expect(fieldText(warmup, 0.002)).toBe('0.2');
    expect(parseFieldText(context, '  ')).toBeNull();
    expect(Number.isNaN(parseFieldText(layers, ''))).toBe(true);
    expect(fieldText(context, null)).toBe('');
    expect(fieldText(lr, 6.25e-5)).toBe('6.25e-5');
    expect(fieldText(lr, 0.001)).toBe('0.001');
    expect(formProblem(layers, '0')).toBe('A whole number from 1 to 48.');
    expect(formProblem(warmup, '100')).toBe('A percentage from 0 to below 100.');
    expect(formProblem(warmup, '99.5')).toBeUndefined();
    expect(formProblem(context, '')).toBeUndefined();
  });

  it("names a table's first field that is out of bounds", () => {
    const table = { layers, lr };
    expect(firstProblem(table, { layers: 2, lr: 0.1 })).toBeUndefined();
    expect(firstProblem(table, { layers: 0, lr: 2 })).toEqual({
      where: 'layers',
      message: 'the number of layers must be a whole number from 1 to 48 (got 0)',
    });
    expect(firstProblem(table, { lr: 2 })?.where).toBe('lr'); // absent fields are not checked
  });

  it('every schema field has a label, help and a non-empty range', () => {
    for (const table of [PRETRAIN_FIELDS, FINETUNE_FIELDS, GENERATE_FIELDS] as Record<string, NumberField>[]) {
      for (const [key, field] of Object.entries(table)) {
        expect(field.label, key).not.toBe('');
        expect(field.help, key).not.toBe('');
        expect(field.min, key).toBeLessThan(field.max);
      }
    }
  });
});
