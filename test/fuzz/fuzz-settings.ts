/**
 * How long a fuzz run is, and from which seed. `npm test` runs the short budget from a fixed seed
 * (the same requests every time); `npm run fuzz` (FUZZ_LONG=1) the long one from a fresh seed.
 * Either can be overridden: FUZZ_RUNS (count), FUZZ_TIME_LIMIT_MS, FUZZ_SEED and FUZZ_PATH (to
 * replay a failure that fast-check reported as `{ seed, path }`).
 */
import type fc from 'fast-check';

export interface FuzzBudget {
  runs: number;
  /** The run stops (without failing) when this is spent. */
  timeLimitMs: number;
}

export const LONG = process.env['FUZZ_LONG'] === '1';

/** The seed of the short runs. */
const FIXED_SEED = 20_260_115;

export interface FuzzRun extends FuzzBudget {
  seed: number;
  path: string | undefined;
  /** fast-check's parameters for this run. */
  parameters: fc.Parameters<unknown>;
}

export function fuzzRun(name: string, budget: { short: FuzzBudget; long: FuzzBudget }): FuzzRun {
  const base = LONG ? budget.long : budget.short;
  const runs = Number(process.env['FUZZ_RUNS'] ?? base.runs);
  const timeLimitMs = Number(process.env['FUZZ_TIME_LIMIT_MS'] ?? base.timeLimitMs);
  const seed = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : LONG ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : FIXED_SEED;
  const path = process.env['FUZZ_PATH'];
  // Printed before the run, so that a run that crashes the process can still be replayed.
  console.info(`[fuzz] ${name}: FUZZ_SEED=${seed} runs=${runs} timeLimitMs=${timeLimitMs}${path ? ` FUZZ_PATH=${path}` : ''}`);
  return {
    runs,
    timeLimitMs,
    seed,
    path,
    parameters: {
      seed,
      numRuns: runs,
      interruptAfterTimeLimit: timeLimitMs,
      markInterruptAsFailure: false,
      ...(path ? { path } : {}),
      // fast-check's own report prints the whole counterexample: megabytes, for the huge requests.
      reporter: (details) => {
        if (!details.failed) return;
        const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(
          `${name}: property failed after ${details.numRuns} runs (shrunk ${details.numShrinks} times)\n` +
            `replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''}\n${cause.length > 4000 ? `${cause.slice(0, 4000)}…` : cause}`,
        );
      },
    },
  };
}
