import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: fault tests that kill and restart idsync, Redis and PostgreSQL processes
 * (test/chaos). Not part of `npm test`. One file at a time: each runs a small deployment of its
 * own and measures how it recovers, which two files at once on two cores would distort.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
  },
});
