import { randomBytes } from 'node:crypto';

// A process-unique prefix and a counter: unique across workers and restarts, and nearly free per request.
const prefix = randomBytes(4).toString('hex');
let counter = 0;

/** A fresh request id such as `9f2c01ab-1k3`. */
export function nextRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}-${counter.toString(36)}`;
}

/** An incoming `X-Request-Id` is kept when it is short and plain (a proxy's id), so logs line up across hops. */
export function acceptRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value) ? value : undefined;
}
