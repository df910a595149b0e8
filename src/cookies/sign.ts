import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signs and verifies cookie values with HMAC-SHA256; see {@link createCookieSigner}.
 *
 * @example
 * const signer: CookieSigner = createCookieSigner([process.env.COOKIE_KEY!]);
 * const theme = signer.unsign(ctx.cookies.theme);
 */
export interface CookieSigner {
  /** `value.signature`, signed with the first key. */
  sign(value: string): string;
  /** The value when some key's signature matches, else undefined (tampered, unsigned, or signed with a retired key). */
  unsign(signed: string | undefined): string | undefined;
}

/** A key must carry at least this many bytes: RFC 2104 §3 advises keys no shorter than the hash output… */
const MIN_KEY_BYTES = 32;
/** …and HMAC-SHA256 in base64url is always 43 characters. */
const SIGNATURE_LENGTH = 43;

/**
 * Creates a signer for cookie values (HMAC-SHA256, RFC 2104). Key rotation: new cookies are signed with the first
 * key, and a cookie signed with any of the keys is accepted, so a new key goes first and the old one stays listed
 * until the cookies it signed have expired. Signatures are compared in constant time.
 *
 * A signature proves the server wrote the value; it does not hide it. Keep secrets out of cookie values.
 *
 * @example
 * const signer = createCookieSigner([process.env.COOKIE_KEY!, process.env.OLD_COOKIE_KEY!]);
 * ctx.setCookie('theme', signer.sign('dark'), { httpOnly: true });
 * const theme = signer.unsign(ctx.cookies.theme); // 'dark', or undefined when tampered with
 */
export function createCookieSigner(keys: readonly (string | Uint8Array)[]): CookieSigner {
  if (!Array.isArray(keys) || keys.length === 0) throw new TypeError('option keys must be a non-empty array of secrets');
  const secrets = keys.map((key, i) => {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key instanceof Uint8Array ? Buffer.from(key) : undefined;
    if (bytes === undefined || bytes.length < MIN_KEY_BYTES) {
      throw new TypeError(`option keys[${i}] must be a string or bytes of at least ${MIN_KEY_BYTES} bytes`);
    }
    return bytes;
  });
  const mac = (key: Buffer, value: string): Buffer => Buffer.from(createHmac('sha256', key).update(value, 'utf8').digest('base64url'));

  return {
    sign(value) {
      return `${value}.${mac(secrets[0]!, value).toString()}`;
    },
    unsign(signed) {
      if (typeof signed !== 'string') return undefined;
      const dot = signed.length - SIGNATURE_LENGTH - 1;
      if (dot < 0 || signed.charCodeAt(dot) !== 0x2e) return undefined;
      // Compared as text, not decoded: base64url decoding is lenient, and one value must have one signature.
      const given = Buffer.from(signed.slice(dot + 1));
      if (given.length !== SIGNATURE_LENGTH) return undefined;
      const value = signed.slice(0, dot);
      // Check every key even after a match, so the time taken does not tell which key signed the value.
      let ok = false;
      for (const key of secrets) ok = timingSafeEqual(mac(key, value), given) || ok;
      return ok ? value : undefined;
    },
  };
}
