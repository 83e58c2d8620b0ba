import { existsSync } from 'node:fs';

/**
 * The font the report chart draws its text with. resvg only draws text with a font it was given,
 * and loading the system's fonts would make the picture depend on the machine, so one known file
 * is looked up at start (the Debian/Ubuntu Liberation package, metric-compatible with Arial) and
 * passed alone. Null when none is installed: the chart is then drawn without text.
 */
export interface ChartFont {
  file: string;
  family: string;
}

const CANDIDATES: readonly ChartFont[] = [
  { file: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { file: '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' },
];

export function findChartFont(candidates: readonly ChartFont[] = CANDIDATES): ChartFont | null {
  return candidates.find((candidate) => existsSync(candidate.file)) ?? null;
}
