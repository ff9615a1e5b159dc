// Label strings to class ids. The training file defines the map (sorted, numerically when every label
// is a number, so "0"/"1" keep their meaning); a dev file must use only labels the training file has.
import { type LabelMap, TaskFileError } from './task-types.ts';

export function buildLabelMap(raw: string[]): LabelMap {
  const distinct = [...new Set(raw)];
  const numeric = distinct.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  return { names: distinct };
}

export function labelId(map: LabelMap, raw: string, fileName: string, line: number): number {
  const id = map.names.indexOf(raw);
  if (id < 0) {
    const known = map.names.map((n) => JSON.stringify(n)).join(', ');
    throw new TaskFileError(
      fileName,
      line,
      `label ${JSON.stringify(raw)} is not one of the training labels (${known})`,
    );
  }
  return id;
}

/** A regression score (STS-B: 0..5). */
export function parseScore(raw: string, fileName: string, line: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw new TaskFileError(fileName, line, `score ${JSON.stringify(raw)} is not a number`);
  }
  return value;
}
