import { createHash, randomBytes } from 'node:crypto';

const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/**
 * The server side of HTTP Digest (RFC 2617: MD5, qop=auth), as a Dinstar's web server does it, for
 * the fakes: issues challenges and checks the answers against the nonces it issued.
 */
export function digestServer(realm: string, account: { username: string; password: string }) {
  const nonces = new Set<string>();
  return {
    challenge(): string {
      const nonce = randomBytes(16).toString('hex');
      nonces.add(nonce);
      return `Digest realm="${realm}", qop="auth", nonce="${nonce}", opaque="${randomBytes(8).toString('hex')}", algorithm=MD5`;
    },
    /** `uri` is the request target as sent (path and query). */
    valid(method: string, uri: string, authorization: string | null | undefined): boolean {
      if (!authorization?.startsWith('Digest ')) return false;
      const f: Record<string, string> = {};
      for (const match of authorization.slice('Digest '.length).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) f[match[1]!] = match[2] ?? match[3] ?? '';
      if (f.username !== account.username || f.realm !== realm || !f.nonce || !nonces.has(f.nonce) || f.uri !== uri) return false;
      const ha1 = md5(`${account.username}:${realm}:${account.password}`);
      const ha2 = md5(`${method}:${uri}`);
      const expected = f.qop ? md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`) : md5(`${ha1}:${f.nonce}:${ha2}`);
      return f.response === expected;
    },
  };
}
