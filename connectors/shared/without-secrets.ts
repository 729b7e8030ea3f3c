/**
 * Upstream text (an API's or a token endpoint's error description) with the secrets idsync sent
 * blanked. A server — or a proxy in front of it — may quote the request back ("Invalid client
 * secret provided: …", "Invalid JWT Signature: …", "Invalid token: SSWS …"), and that text goes
 * into run errors, which are stored, shown by the API and logged. Each given secret is blanked as
 * it is and as a form or URL encodes it (a JWT's signature also on its own), and so is anything
 * shaped like a JWT (a signed client assertion, an access token), whose value the caller may not hold.
 */
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]+/g;
const REDACTED = '[redacted]';

export function withoutSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  // A JWT's signature is what makes it a credential: blanked also when quoted on its own.
  const all = secrets.flatMap((s) => (s !== undefined && /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(s) ? [s, s.slice(s.lastIndexOf('.') + 1)] : [s]));
  for (const secret of all) {
    // A short value would blank ordinary words; credentials are long.
    if (secret === undefined || secret.length < 8) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])) out = out.split(form).join(REDACTED);
  }
  return out.replace(JWT, REDACTED);
}
