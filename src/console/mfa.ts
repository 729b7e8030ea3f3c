/**
 * Whether an ID token's `amr` (Authentication Methods References, RFC 8176) shows a second factor:
 * the provider says `mfa` outright (Entra ID, Okta, Keycloak with a second step), or it lists two
 * different methods (`["pwd","otp"]`). A single method — a password alone — is not enough; a
 * provider that sends no `amr` at all cannot prove MFA, so a console that requires it refuses.
 */
export function showsSecondFactor(amr: unknown): boolean {
  if (!Array.isArray(amr)) return false;
  const methods = new Set(amr.filter((m): m is string => typeof m === 'string').map((m) => m.toLowerCase()));
  return methods.has('mfa') || methods.size >= 2;
}

/** The methods as a person would read them on the refusal page. */
export function describeMethods(amr: unknown): string {
  if (!Array.isArray(amr) || amr.length === 0) return 'your identity provider did not say how you signed in (no "amr" claim)';
  return `your identity provider reports only: ${amr.filter((m) => typeof m === 'string').join(', ')}`;
}
