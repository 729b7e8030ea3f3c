import { defineConfig } from 'vitest/config';

/**
 * `npm run fuzz`: the long fuzz runs (test/fuzz) — at least 10,000 SCIM requests per store, 10,000
 * admin-API requests per store, 5,000 config documents — from a fresh seed each time (printed as
 * FUZZ_SEED; set it, and FUZZ_PATH, to replay a failure). FUZZ_RUNS and FUZZ_TIME_LIMIT_MS override
 * the budget. `npm test` runs the same files with a short budget from a fixed seed.
 */
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    env: { FUZZ_LONG: '1' },
    testTimeout: 60 * 60_000,
    hookTimeout: 120_000,
    // One file at a time: the RSS bound is measured in the process that serves the requests.
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
  },
});
