import { daemonRequest, type DaemonClientOptions } from './daemon-client.js';

interface RunBody {
  id: string;
  mode: string;
  status: string;
  dryRun: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  counts: Record<string, number>;
  skipped: Record<string, number>;
  error: { message: string } | null;
  /** Absent from a daemon older than run notices. */
  notices?: Array<{ code: string; message: string }> | undefined;
  detail: { phase?: string; rate?: number; deletions?: { users: number; limit: number } } | null;
}

export interface SyncCommandOptions {
  full?: boolean;
  dryRun?: boolean;
  allowDeletes?: boolean;
}

const FINISHED = new Set(['succeeded', 'failed', 'blocked']);
const POLL_MS = 500;

/**
 * `idsync sync <source>`: asks the daemon for a run, then follows it — a live line on a TTY
 * (phase, entries read, entries/s), plain log lines otherwise — and prints a summary table.
 * Exit code 0 when the run succeeded, 1 when it failed, 3 when it was blocked.
 */
export async function syncCommand(client: DaemonClientOptions, sourceId: string, options: SyncCommandOptions, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const body = { mode: options.full ? 'full' : 'delta', dryRun: options.dryRun ?? false, allowDeletes: options.allowDeletes ?? false };
  const { run: queued } = await daemonRequest<{ run: RunBody }>(client, 'POST', `/sources/${encodeURIComponent(sourceId)}/sync`, body);
  const tty = out.isTTY === true;
  let lastPhase = '';
  let run = queued;
  const started = Date.now();
  if (!tty) out.write(`run ${run.id} queued (${body.mode}${body.dryRun ? ', dry run' : ''})\n`);
  while (!FINISHED.has(run.status)) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    run = (await daemonRequest<{ run: RunBody }>(client, 'GET', `/sources/${encodeURIComponent(sourceId)}/runs/${run.id}`)).run;
    const phase = run.detail?.phase ?? run.status;
    const seen = run.counts['seen'] ?? 0;
    const rate = run.detail?.rate ?? 0;
    if (tty) {
      const elapsed = ((Date.now() - started) / 1000).toFixed(1);
      out.write(`\r\x1b[K${sourceId} ${run.mode}: ${phase.padEnd(9)} ${String(seen).padStart(8)} entries read  ${String(rate).padStart(7)}/s  ${elapsed}s`);
    } else if (phase !== lastPhase) {
      out.write(`${new Date().toISOString()} ${sourceId} ${run.mode}: ${phase} (${seen} entries read)\n`);
    }
    lastPhase = phase;
  }
  if (tty) out.write('\r\x1b[K');
  out.write(summary(sourceId, run));
  return run.status === 'succeeded' ? 0 : run.status === 'blocked' ? 3 : 1;
}

function summary(sourceId: string, run: RunBody): string {
  const seconds = run.startedAt && run.finishedAt ? ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1) : '?';
  const rows: Array<[string, string]> = [
    ['source', sourceId],
    ['run', run.id],
    ['mode', `${run.mode}${run.dryRun ? ' (dry run: nothing written)' : ''}`],
    ['status', run.status],
    ['duration', `${seconds} s`],
    ...(['seen', 'created', 'updated', 'deleted', 'unchanged', 'skipped'] as const).map((k): [string, string] => [k, String(run.counts[k] ?? 0)]),
    ...Object.entries(run.skipped).map(([reason, n]): [string, string] => [`  skipped: ${reason}`, String(n)]),
  ];
  if (run.error) rows.push(['error', run.error.message]);
  for (const n of run.notices ?? []) rows.push(['notice', n.message]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
