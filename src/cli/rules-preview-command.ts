import { readFile } from 'node:fs/promises';
import type { PreviewEntry, RulesPreview } from '../explain/preview-rules.js';
import { daemonRequest, DaemonRequestError, type DaemonClientOptions } from './daemon-client.js';

/**
 * `idsync rules preview <config.yaml> [--json]`: sends the file's `workspaces` and `lifecycle` to the
 * running daemon (`POST /rules/preview`) and prints what they would grant, change and suspend.
 * Exit code 2 when the candidate has problems (each printed by its path), as at start-up.
 */
export async function rulesPreviewCommand(
  client: DaemonClientOptions,
  file: string,
  options: { json?: boolean; unchanged?: boolean },
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    err.write(`idsync rules preview: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  let preview: RulesPreview;
  try {
    preview = await daemonRequest<RulesPreview>(client, 'POST', `/rules/preview${options.unchanged ? '?unchanged=true' : ''}`, text, 'application/yaml');
  } catch (error) {
    const problems = error instanceof DaemonRequestError ? (error.body as { error?: { problems?: unknown } } | undefined)?.error?.problems : undefined;
    if (!Array.isArray(problems)) throw error;
    err.write(`idsync: invalid rules in ${file}:\n${problems.map((p) => `  - ${String(p)}`).join('\n')}\n`);
    return 2;
  }
  out.write(options.json ? `${JSON.stringify(preview, null, 2)}\n` : formatPreview(preview));
  return 0;
}

const OUTCOME: Record<PreviewEntry['outcome'], string> = { granted: 'grant', role_changed: 'change role', suspended: 'suspend', unchanged: 'stay' };

/** Totals first, then a line per workspace, then a line per change. */
function formatPreview(p: RulesPreview): string {
  const t = p.totals;
  const lines = [
    `${p.people} people read: ${t.granted} would be granted, ${t.roleChanged} would change role, ${t.suspended} would be suspended, ${t.unchanged} stay`,
    '',
    table([['WORKSPACE', 'GRANTED', 'ROLE CHANGED', 'SUSPENDED', 'UNCHANGED'], ...Object.entries(p.workspaces).sort(([a], [b]) => a.localeCompare(b)).map(([ws, w]) => [ws, String(w.granted), String(w.roleChanged), String(w.suspended), String(w.unchanged)])]),
  ];
  const entries = [...p.changes, ...(p.unchanged ?? [])];
  if (entries.length > 0) {
    lines.push('', table([['CHANGE', 'PERSON', 'WORKSPACE', 'ROLE', 'RULE'], ...entries.map((e) => [
      OUTCOME[e.outcome],
      e.email,
      e.workspace,
      e.previousRole ? `${e.previousRole} → ${e.role}` : e.role,
      e.outcome === 'suspended' ? `no longer: ${e.rule ?? '?'}` : (e.rule ?? ''),
    ])]));
  }
  return `${lines.join('\n')}\n`;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')).join('\n');
}
