/**
 * One figure of a benchmark, printed as a `#figure {json}` line that `npm run bench` (all.ts)
 * gathers into its table. A bench prints its own readable lines as well; this line is what the
 * table is made of. A figure carries the reference measured beside it in the same run (a ceiling
 * that does less work, or a floor no implementation can beat), or none when there is no such thing.
 */
export interface Figure {
  /** Which bench measured it: `reconcile`, `scim`, `ldap`, `cloud`, `embedded`. */
  bench: string;
  /** What was measured, e.g. `filtered GET /Users`. */
  name: string;
  value: number;
  /** `req/s`, `entries/s`, `changes/s`, `s`, `MB`. */
  unit: string;
  /** The floor or ceiling measured in the same run, in the same unit. */
  reference?: { name: string; value: number };
  /** Higher is better (rates) or lower is better (seconds, MB); the ratio is value / reference either way. */
  better: 'higher' | 'lower';
}

export const FIGURE_PREFIX = '#figure ';

export function reportFigure(figure: Figure): void {
  process.stdout.write(`${FIGURE_PREFIX}${JSON.stringify(figure)}\n`);
}
