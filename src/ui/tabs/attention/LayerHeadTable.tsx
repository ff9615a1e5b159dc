// The layers × heads table both attention grids use (thumbnails, extract-token strips): one header row of
// heads, one row per layer, and a cell rendered by the caller.
import type { ReactNode } from 'react';

export interface LayerHeadTableProps {
  layers: number;
  heads: number;
  className: string;
  label: string;
  cell: (layer: number, head: number) => ReactNode;
}

export function LayerHeadTable({ layers, heads, className, label, cell }: LayerHeadTableProps) {
  return (
    <table className={className} aria-label={label}>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Layer</span>
          </th>
          {Array.from({ length: heads }, (_, h) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: heads are positional.
            <th key={h} scope="col">
              head {h + 1}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: layers }, (_, l) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: layers are positional.
          <tr key={l}>
            <th scope="row">layer {l + 1}</th>
            {Array.from({ length: heads }, (_, h) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: heads are positional.
              <td key={h}>{cell(l, h)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
