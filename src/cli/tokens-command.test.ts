import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tokensCreateCommand } from './tokens-command.js';

function sink(): Writable & { text: string } {
  const s = new Writable({ write(chunk, _e, cb) { s.text += String(chunk); cb(); } }) as Writable & { text: string };
  s.text = '';
  return s;
}

describe('idsync tokens create', () => {
  it('asks for exactly one of --source and --person: one line and exit code 2, no request, no stack', async () => {
    // An unreachable daemon: a request would fail differently.
    const client = { url: 'http://127.0.0.1:9', token: 'x' };
    for (const options of [{}, { source: 'scim', person: 'a@example.com' }]) {
      const out = sink();
      const err = sink();
      expect(await tokensCreateCommand(client, options, out, err)).toBe(2);
      expect(err.text).toBe('idsync tokens create: give exactly one of --source <id> or --person <email>\n');
      expect(out.text).toBe('');
    }
  });
});
