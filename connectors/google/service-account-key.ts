import { z } from 'zod';
import { ConnectorError } from '../../src/connector/errors.js';

const keyFile = z
  .object({
    type: z.literal('service_account').optional(),
    client_email: z.string().min(1),
    private_key: z.string().min(1),
    private_key_id: z.string().optional(),
    token_uri: z.url().default('https://oauth2.googleapis.com/token'),
  })
  .passthrough();

export type ServiceAccountKey = z.infer<typeof keyFile>;

/** The key file's JSON from the environment. Errors name the variable, never its content. */
export function readServiceAccountKey(env: Readonly<Record<string, string | undefined>>, name: string, sourceId: string): ServiceAccountKey {
  const text = env[name];
  const fail = (why: string) => new ConnectorError('connector_config', `source "${sourceId}": environment variable ${name} ${why}`, { sourceId });
  if (text === undefined || text === '') throw fail('is not set');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('is not a service-account key file (not JSON)');
  }
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) throw fail(`is not a service-account key file (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  return parsed.data;
}
