// Chart colours, read from the CSS variables in styles.css so light and dark themes both apply.
// The series colours are Okabe & Ito's colour-blind-safe palette (lighter variants in the dark theme).

export const SERIES_COLOURS = 8;

export interface ChartTheme {
  fg: string;
  muted: string;
  grid: string;
  panel: string;
  series: string[];
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readChartTheme(element: Element = document.documentElement): ChartTheme {
  const style = getComputedStyle(element);
  const fallback = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#f0e442', '#999999'];
  return {
    fg: cssVar(style, '--fg', '#1b1d22'),
    muted: cssVar(style, '--muted', '#5d6470'),
    grid: cssVar(style, '--grid', '#e6e8ee'),
    panel: cssVar(style, '--panel', '#ffffff'),
    series: fallback.map((f, i) => cssVar(style, `--series-${i + 1}`, f)),
  };
}

export function seriesColour(theme: ChartTheme, index: number): string {
  return theme.series[((index % SERIES_COLOURS) + SERIES_COLOURS) % SERIES_COLOURS]!;
}

/** `colour` with alpha, for the faint raw series behind a smoothed one (accepts #rgb/#rrggbb). */
export function withAlpha(colour: string, alpha: number): string {
  const hex = colour.startsWith('#') ? colour.slice(1) : '';
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  if (full.length !== 6) return colour;
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0');
  return `#${full}${a}`;
}
