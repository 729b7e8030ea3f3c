import { daemonRequest, type DaemonClientOptions } from './daemon-client.js';

/**
 * `idsync tokens create --source <id>` / `--person <email>`: asks the daemon for a new token and
 * prints it — the only time it is shown. Returns the exit code.
 */
export async function tokensCreateCommand(client: DaemonClientOptions, options: { source?: string; person?: string }, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  if ((options.source === undefined) === (options.person === undefined)) {
    throw new Error('give exactly one of --source <id> or --person <email>');
  }
  const body = options.source !== undefined ? { source: options.source } : { person: options.person };
  const result = await daemonRequest<{ token: string }>(client, 'POST', '/tokens', body);
  out.write(`${result.token}\n`);
  process.stderr.write(options.source !== undefined
    ? `a SCIM bearer token for source "${options.source}": it is shown only now\n`
    : `an admin API token acting as ${options.person}: it is shown only now\n`);
  return 0;
}
