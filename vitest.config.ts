import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'connectors/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault tests kill and restart processes for minutes: `npm run test:chaos` (vitest.chaos.config.ts).
    exclude: [...configDefaults.exclude, 'test/chaos/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run test files two at a time; each one has its own database and queue prefix.
    maxWorkers: 2,
    pool: 'forks',
  },
});
