import { HttpError, type Context } from '../../src/index.js';

/** Route options of the account routes: a name and two passwords fit in far less, and junk never reaches scrypt. */
export const ACCOUNT_BODY = { bodyLimit: 16 * 1024 } as const;

const FORM = /^\s*application\/x-www-form-urlencoded\s*(;|$)/i;

/** True for a plain HTML form post: the answer is then a redirect or a page rather than JSON. */
export function isFormPost(ctx: Context): boolean {
  return FORM.test(ctx.headers['content-type'] ?? '');
}

/**
 * The fields of a body that may be a plain HTML form (a browser without JavaScript) or JSON (the API and the
 * client script). Any other Content-Type is a 415; JSON that is not an object is a 400.
 */
export async function readFields(ctx: Context): Promise<Readonly<Record<string, unknown>>> {
  if (isFormPost(ctx)) return ctx.body.form();
  const data = await ctx.body.json();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new HttpError(400, 'BODY_NOT_OBJECT', 'expected a JSON object');
  }
  return data as Record<string, unknown>;
}
