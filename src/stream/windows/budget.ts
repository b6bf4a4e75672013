import { EdgewiseError } from '../../errors';

/** Default `maxPanes`: panes per window plus panes kept for allowed lateness. */
export const DEFAULT_MAX_PANES = 1_000_000;

export interface SlidingGeometry {
  /** Pane length, ms. */
  pane: number;
  /** Panes per window. */
  a: number;
  /** Panes per slide. */
  b: number;
  offset: number;
  /** Allowed lateness, ms. */
  lateness: number;
}

/**
 * Refuses (INVALID_ARGUMENT) a sliding configuration whose windows need more
 * than `maxPanes` panes (panes per window plus those kept for `allowedLateness`).
 */
export function checkPaneBudget(
  size: number,
  slide: number,
  g: SlidingGeometry,
  maxPanes: number,
): void {
  const late = Math.ceil(g.lateness / g.pane);
  const need = g.a + late;
  if (need > maxPanes) {
    const minSlide = smallestSlide(size, maxPanes - late);
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: a sliding window of size ${size} ms sliding every ${slide} ms is kept as panes of ` +
        `gcd(size, slide) = ${g.pane} ms: ${g.a.toLocaleString('en-US')} panes per window` +
        (late > 0 ? ` plus ${late.toLocaleString('en-US')} for allowedLateness` : '') +
        `, more than maxPanes (${maxPanes.toLocaleString('en-US')}). ` +
        (minSlide !== null
          ? `Use a slide of at least ${minSlide} ms that divides the size, `
          : 'Use a coarser slide, ') +
        'or raise the maxPanes option (memory grows with the panes that hold data).',
    );
  }
}

function smallestSlide(size: number, panes: number): number | null {
  if (panes < 1) return null;
  for (let s = Math.max(1, Math.ceil(size / panes)); s <= size; s++) if (size % s === 0) return s;
  return null;
}
