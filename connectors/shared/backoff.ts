/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, *Exponential Backoff And Jitter*):
 * a random wait in [base·2^(attempt-1) / 2, base·2^(attempt-1)], capped at `maxMs`. Half the
 * range is kept as a floor so a retry never fires immediately.
 */
export function backoffDelay(attempt: number, options: { baseMs: number; maxMs: number; random?: () => number }): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const random = options.random ?? Math.random;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
