import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { promtool } from './promtool.js';

const RULES_DIR = path.resolve('ops/prometheus');

describe('ops/prometheus/alerts.yml', () => {
  it('passes promtool check rules', () => {
    const run = promtool(['check', 'rules', 'alerts.yml'], RULES_DIR);
    expect(run.output).toContain('SUCCESS');
    expect(run.status, run.output).toBe(0);
  });

  it('passes its unit tests (promtool test rules): each alert fires on its series and clears again', () => {
    const run = promtool(['test', 'rules', 'alerts.test.yml'], RULES_DIR);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS');
  });

  it('has a unit test for every alert it defines', async () => {
    const rules = await readFile(path.join(RULES_DIR, 'alerts.yml'), 'utf8');
    const tests = await readFile(path.join(RULES_DIR, 'alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]);
    expect(alerts.length).toBeGreaterThanOrEqual(9);
    const tested = new Set([...tests.matchAll(/alertname: (\w+)$/gm)].map((m) => m[1]));
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
  });

  it('the unit tests catch a rule that would not fire: the sync-failing alert at three failures fails them', async () => {
    // The tests are only worth something if a wrong rule fails them: run them against a copy whose
    // IdsyncSyncFailing waits for a third failure.
    const dir = await mkdtemp(path.join(tmpdir(), 'idsync-alerts-'));
    try {
      const rules = await readFile(path.join(RULES_DIR, 'alerts.yml'), 'utf8');
      const broken = rules.replace('max by (source) (idsync_sync_consecutive_failures) >= 2', 'max by (source) (idsync_sync_consecutive_failures) >= 3');
      expect(broken).not.toBe(rules);
      await writeFile(path.join(dir, 'alerts.yml'), broken);
      await copyFile(path.join(RULES_DIR, 'alerts.test.yml'), path.join(dir, 'alerts.test.yml'));
      const run = promtool(['test', 'rules', 'alerts.test.yml'], dir);
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('alertname: IdsyncSyncFailing, time: 7m');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
