import '../session-data.js';
import { HttpError, type Context } from '../../src/index.js';
import type { User } from '../users/repo.js';

/** The logged-in member of this request, or undefined. Reads the session; never the database. */
export function currentMember(ctx: Context): { id: string; name: string } | undefined {
  const { userId, name } = ctx.session.data;
  return typeof userId === 'string' && typeof name === 'string' ? { id: userId, name } : undefined;
}

/** The logged-in member, or a 401. */
export function requireMember(ctx: Context): { id: string; name: string } {
  const me = currentMember(ctx);
  if (me === undefined) throw new HttpError(401, 'NOT_LOGGED_IN', 'log in first');
  return me;
}

/** The logged-in member acting on their own account `id`: 401 when not logged in, 403 for someone else's. */
export function requireSelf(ctx: Context, id: string): { id: string; name: string } {
  const me = requireMember(ctx);
  if (me.id !== id) throw new HttpError(403, 'NOT_YOUR_ACCOUNT', 'you can only change your own account');
  return me;
}

/** The API's view of a member: built field by field, so a stored hash can never leak into a reply. */
export function publicUser(user: User): User {
  return { id: user.id, name: user.name, createdAt: user.createdAt, updatedAt: user.updatedAt };
}
