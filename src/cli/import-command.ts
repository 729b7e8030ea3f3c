import { readFile } from 'node:fs/promises';
import { daemonRequest, DaemonRequestError, type DaemonClientOptions } from './daemon-client.js';

interface ImportResponse {
  import: {
    dryRun: boolean;
    summary: { granted: number; changed: number; unchanged: number };
    changes: Array<{ line: number; email: string; action: string; role: string; previousRole: string | null; validUntil: string | null }>;
  };
}

/**
 * `idsync import <csv> --workspace <id> [--dry-run]`: sends the file to the daemon, which validates
 * every line and applies it all-or-nothing. On a TTY it shows what it is doing while it waits.
 * Returns the exit code.
 */
export async function importCommand(client: DaemonClientOptions, file: string, options: { workspace: string; dryRun?: boolean; json?: boolean }, out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const csv = await readFile(file, 'utf8');
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '').length - 1;
  const tty = err.isTTY === true && !options.json;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  if (tty) {
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let i = 0;
    const draw = () => err.write(`\r${frames[i++ % frames.length]} ${options.dryRun ? 'checking' : 'importing'} ${lines} user(s) into ${options.workspace} … ${((Date.now() - started) / 1000).toFixed(1)}s`);
    draw();
    timer = setInterval(draw, 100);
  }
  try {
    const path = `/workspaces/${encodeURIComponent(options.workspace)}/imports${options.dryRun ? '?dryRun=true' : ''}`;
    const result = await daemonRequest<ImportResponse>(client, 'POST', path, csv, 'text/csv');
    if (tty) err.write('\r\x1b[K');
    if (options.json) {
      out.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const s = result.import.summary;
    for (const c of result.import.changes.filter((x) => x.action !== 'unchanged')) {
      out.write(`line ${c.line}: ${c.email} ${c.action === 'grant' ? `+ ${c.role}` : `${c.previousRole} → ${c.role}`}${c.validUntil ? ` until ${c.validUntil.slice(0, 10)}` : ''}\n`);
    }
    out.write(`${result.import.dryRun ? 'dry run, nothing written: would grant' : 'granted'} ${s.granted}, ${result.import.dryRun ? 'change' : 'changed'} ${s.changed}, unchanged ${s.unchanged}\n`);
    return 0;
  } catch (error) {
    if (tty) err.write('\r\x1b[K');
    if (error instanceof DaemonRequestError && error.status === 400) {
      // The message lists every line at fault: "N error(s) …: line 3: …; line 5: …".
      const [head, ...rest] = error.message.split(/: (?=line \d+:)/);
      err.write(`idsync: ${head}\n`);
      for (const part of rest.join(': ').split(/; (?=line \d+:)/)) err.write(`  ${part}\n`);
      return 1;
    }
    throw error;
  } finally {
    clearInterval(timer);
  }
}
