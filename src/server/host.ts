/**
 * Why an HTTP/1.1 request's Host cannot be used, or undefined when it can: RFC 9112 §3.2 says a server MUST answer
 * 400 to a request "that contains more than one Host header field line or a Host header field with an invalid
 * field value". Node keeps the first of several Host lines and takes any value; a proxy in front that reads the last
 * one, or reads `evil.example/x` differently, would then route, cache or judge the origin of one request by
 * another host than this server does (host confusion). nginx refuses both the same way.
 *
 * A valid value is an RFC 3986 §3.2.2 host — reg-name (unreserved, sub-delims, %HH), IPv4 or an IP literal in
 * brackets — with an optional port; empty is valid too (a target without authority, §3.2). A missing Host is
 * Node's to refuse (`requireHostHeader`).
 *
 * @example
 * hostProblem(['Host', 'example.com:8080'], 'example.com:8080') // undefined
 * hostProblem(['Host', 'a', 'host', 'b'], 'a')                 // 'duplicate'
 * hostProblem(['Host', 'a b'], 'a b')                          // 'invalid'
 */
export function hostProblem(rawHeaders: readonly string[], host: string | undefined): 'duplicate' | 'invalid' | undefined {
  if (host === undefined) return undefined;
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host') && ++seen > 1) return 'duplicate';
  }
  return validHost(host) ? undefined : 'invalid';
}

// 1 for the characters of a reg-name (RFC 3986 §3.2.2: unreserved and sub-delims; '%' is checked apart).
const REG_NAME = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=") REG_NAME[c.charCodeAt(0)] = 1;
const IP_LITERAL = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

function validHost(value: string): boolean {
  const length = value.length;
  if (length !== 0 && value.charCodeAt(0) === 91 /* [ */) {
    const close = value.indexOf(']');
    return close !== -1 && IP_LITERAL.test(value.slice(0, close + 1)) && (close + 1 === length || (value.charCodeAt(close + 1) === 58 && digits(value, close + 2)));
  }
  // One pass over the reg-name, then the port's digits after the first colon.
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code === 58 /* : */) return digits(value, i + 1);
    if (code === 37 /* % */) {
      if (i + 2 >= length || !isHex(value.charCodeAt(i + 1)) || !isHex(value.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (code >= 128 || REG_NAME[code] !== 1) return false;
  }
  return true;
}

function digits(value: string, from: number): boolean {
  for (let i = from; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
