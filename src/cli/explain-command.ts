import type { AccessExplanation, GrantExplanation } from '../explain/explain-access.js';
import type { Evidence } from '../domain/desired-memberships.js';
import { daemonRequest, type DaemonClientOptions } from './daemon-client.js';

/**
 * `idsync explain <email> [--workspace <id>] [--json]`: why the person holds what they hold, through
 * the running daemon (`GET /people?email=`, then `GET /people/{id}/access`). Returns the exit code.
 */
export async function explainCommand(
  client: DaemonClientOptions,
  email: string,
  options: { workspace?: string; json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const found = await daemonRequest<{ people: Array<{ id: string; email: string }> }>(client, 'GET', `/people?email=${encodeURIComponent(email)}&limit=1`);
  const person = found.people[0];
  if (!person) {
    err.write(`idsync explain: no person with e-mail ${email} (or not one you may see)\n`);
    return 1;
  }
  const query = options.workspace ? `?workspace=${encodeURIComponent(options.workspace)}` : '';
  const explanation = await daemonRequest<AccessExplanation>(client, 'GET', `/people/${person.id}/access${query}`);
  out.write(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
  return 0;
}

/** The explanation as text: a block per workspace, a line per grant, its evidence or its end below it. */
function formatExplanation(x: AccessExplanation): string {
  const lines = [`${x.person.email} (${x.person.id})`];
  if (x.workspaces.length === 0) lines.push('  no grants in any workspace you may view');
  for (const ws of x.workspaces) {
    lines.push('', `${ws.workspace}: ${ws.role ? `${ws.role} (from the ${ws.origin} grant)` : 'no access'}`);
    for (const g of ws.grants) {
      lines.push(`  ${g.effective ? '*' : '-'} ${g.origin.padEnd(6)} ${g.role.padEnd(6)} ${g.status.padEnd(9)} ${g.validUntil ? `until ${minute(g.validUntil)}` : 'no end'}${g.grantedBy ? `, granted by ${g.grantedBy}` : ''}`);
      for (const line of grantDetail(g)) lines.push(`      ${line}`);
    }
    if (ws.pending) {
      lines.push(`  pending: the rules now ${ws.pending.role ? `give ${ws.pending.role} by ${ws.pending.rule}` : 'match no more'}; the next reconcile applies it`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function grantDetail(g: GrantExplanation): string[] {
  const lines: string[] = [];
  if (g.origin === 'rules' && g.status === 'active') {
    if (!g.evidence || g.evidence.length === 0) lines.push('no rule matches now');
    g.evidence?.forEach((e, i) => lines.push(`${i === 0 ? 'because' : 'also'}: ${evidenceText(e)}`));
  }
  if (g.ended) {
    const e = g.ended;
    let by: string;
    switch (e.by.kind) {
      case 'sync':
        by = `sync run ${e.by.runId} of ${e.by.sourceId}${e.run ? ` (${e.run.mode}, ${e.run.status}, started ${minute(e.run.startedAt)})` : ''}`;
        break;
      case 'source':
        by = `source ${e.by.sourceId}`;
        break;
      case 'sweep':
        by = `the ${e.by.sweep} sweep`;
        break;
      case 'admin':
        by = e.by.by;
        break;
      case 'reconciliation':
        by = 'a reconciliation (rules changed)';
        break;
    }
    const what = 'change' in e.by && e.by.change ? `: ${e.by.change}` : e.cause && e.by.kind !== 'sync' && e.by.kind !== 'source' ? `: ${e.cause}` : '';
    lines.push(`${e.action.replace('membership.', '')} ${minute(e.at)} by ${by}${what}`);
    if (e.rule && (e.by.kind === 'sync' || e.by.kind === 'source')) lines.push(`the rule that had matched: ${e.rule}`);
  } else if (g.status !== 'active') {
    lines.push('no recorded change ended it');
  }
  return lines;
}

function evidenceText(e: Evidence): string {
  const m = e.matched;
  const what = m.kind === 'group' ? `member of group "${m.displayName}"` : m.kind === 'appRole' ? `app role "${m.value}"` : `${m.attribute} = "${m.value}"`;
  return `${e.account.sourceId} account ${e.account.userName} (${e.account.accountId}) is ${what} → rule ${e.rule.role}[${e.rule.index}] ${e.rule.text}`;
}

/** `2026-03-01T12:00:00.000Z` → `2026-03-01 12:00Z`. */
function minute(iso: string | null): string {
  return iso === null ? '?' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}
