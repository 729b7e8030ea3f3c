import { spawnSync } from 'node:child_process';

/**
 * Runs Debian's `promtool` (package `prometheus`; `.ci/run` installs it). Missing, it fails the
 * test that asked for it with the way to get it — an alert rule that no tool has checked does not pass.
 */
export function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('promtool is not installed: `apt-get install prometheus` provides /usr/bin/promtool (.ci/run installs it without starting the service)');
  }
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
