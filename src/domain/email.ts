/** The correlation key of an e-mail address: trimmed and lower-cased; `null` when it is not an address. */
export function emailKey(email: string | null | undefined): string | null {
  if (!email) return null;
  const key = email.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(key) ? key : null;
}

function emailDomain(key: string): string {
  return key.slice(key.lastIndexOf('@') + 1);
}

/** Internal when the address's domain, or a parent of it, is one of `internalDomains`. */
export function isInternalEmail(key: string, internalDomains: readonly string[]): boolean {
  const domain = emailDomain(key);
  return internalDomains.some((d) => {
    const internal = d.toLowerCase();
    return domain === internal || domain.endsWith(`.${internal}`);
  });
}
