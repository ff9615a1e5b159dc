// Reading one head out of the [layers, heads, T, T] attention tensor, and drawing it as a heatmap.
import type { AttentionMaps, ColourScale } from '../../store/attention-slice.ts';
import { VIRIDIS } from './colormap.ts';

export function headMatrix(maps: AttentionMaps, layer: number, head: number): Float32Array {
  const T = maps.tokens.length;
  const offset = (layer * maps.heads + head) * T * T;
  return maps.data.subarray(offset, offset + T * T);
}

export function maxOf(values: Float32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/** Where a heatmap goes on its canvas, in canvas pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Draws a T×T head (query rows, key columns) with viridis into `rect` of the canvas, scaled so `scale` (the
 * head's largest weight) is the brightest colour, linearly or by square root. Masked (future) cells above the
 * diagonal stay transparent.
 */
export function drawHeatmap(
  ctx: CanvasRenderingContext2D,
  matrix: Float32Array,
  T: number,
  scale: number,
  colourScale: ColourScale,
  rect: Rect = { x: 0, y: 0, w: ctx.canvas.width, h: ctx.canvas.height },
): void {
  const image = new ImageData(T, T);
  const px = image.data;
  const inverse = scale > 0 ? 1 / scale : 0;
  const shape = colourScale === 'sqrt' ? Math.sqrt : (t: number) => t;
  for (let q = 0; q < T; q++) {
    for (let k = 0; k < T; k++) {
      const value = matrix[q * T + k]!;
      if (k > q && value === 0) continue; // causal mask: leave the cell empty
      const o = (q * T + k) * 4;
      const i = Math.min(255, Math.max(0, Math.round(255 * shape(value * inverse)))) * 3;
      px[o] = VIRIDIS[i]!;
      px[o + 1] = VIRIDIS[i + 1]!;
      px[o + 2] = VIRIDIS[i + 2]!;
      px[o + 3] = 255;
    }
  }
  const source = document.createElement('canvas');
  source.width = T;
  source.height = T;
  source.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, rect.x, rect.y, rect.w, rect.h);
}

/** Shows whitespace in token labels. */
export function tokenLabel(token: string): string {
  return token.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→') || '∅';
}
