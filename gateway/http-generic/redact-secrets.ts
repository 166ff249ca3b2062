/**
 * Hides secret values in text that leaves the adapter (error messages stored on messages, log
 * lines): a provider may echo our request, URL and credentials included, in its error page. Each
 * secret is hidden in the forms it was sent in: as is, URL-encoded, form-encoded, JSON-escaped,
 * and inside a Basic credential.
 */
export function secretRedactor(secrets: Record<string, string>, basicCredentials: string[] = []): (text: string) => string {
  const forms = new Set<string>();
  for (const value of [...Object.values(secrets), ...basicCredentials]) {
    // Very short values would blank out ordinary words; secrets that short are not secrets.
    if (value.length < 4) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    forms.add(new URLSearchParams({ v: value }).toString().slice(2));
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(Buffer.from(value, 'utf8').toString('base64'));
  }
  // Longest first, so a secret inside another secret does not leave the longer one half visible.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((result, form) => result.split(form).join('[redacted]'), text);
}
