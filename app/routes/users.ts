import { HttpError, tooManyAttempts, type App, type Context, type Reply } from '../../src/index.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { accountKey, clientAddress, clientKey, type AccountThrottle } from '../auth/throttle.js';
import type { UserRepository } from '../users/repo.js';
import { validateName, validatePassword, type Validated } from '../users/validate.js';
import { ACCOUNT_BODY, readFields, isFormPost } from './input.js';
import { publicUser, requireSelf } from './member.js';
import type { PageRenderer } from './pages.js';

// RFC 9562 textual form; anything else cannot name a member, so it is a 404 without a query.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_PAGE = 20;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The users REST API: list, show, register, rename (PUT), rename or change password (PATCH), delete. The book's
 * singular paths (`/user`, `/user/:id`) answer exactly like the plural ones. Registration is limited per client
 * address; a password change ends the member's other sessions and gives this one a new id; deleting the account
 * ends all of them.
 */
export function userRoutes(app: App, users: UserRepository, pages: PageRenderer, throttle: AccountThrottle): void {
  const list = async (ctx: Context): Promise<Reply> => {
    const limit = parseLimit(ctx.query.get('limit'));
    const cursor = ctx.query.get('cursor') ?? undefined;
    // The database writes the page's JSON itself (listJson): no row objects, no Dates, no JSON.stringify here.
    const page = await users.listJson(cursor === undefined ? { limit } : { limit, cursor }).catch((err: unknown) => {
      if (err instanceof RangeError) throw new HttpError(400, 'BAD_CURSOR', 'cursor is not one this server gave out');
      throw err;
    });
    if (page.nextCursor !== undefined) {
      ctx.header('link', `<${ctx.path}?limit=${limit}&cursor=${encodeURIComponent(page.nextCursor)}>; rel="next"`);
    }
    return ctx.send(page.json, JSON_TYPE);
  };

  const show = async (ctx: Context): Promise<Reply> => {
    const user = await findUser(users, ctx.params.id!);
    return ctx.json(publicUser(user));
  };

  const create = async (ctx: Context): Promise<Reply> => {
    const form = isFormPost(ctx);
    try {
      const fields = await readFields(ctx);
      const name = valid(validateName(fields.name));
      const password = valid(validatePassword(fields.password));
      // Counted once the input is valid, before scrypt: what a flood of registrations costs is the hashing.
      const byAddress = await throttle.registrationByAddress.hit(clientKey(ctx));
      if (byAddress.limited) throw tooManyAttempts(byAddress);
      const result = await users.create({ name, passwordHash: await hashPassword(password) });
      if (!result.ok) throw nameTaken();
      if (form) return ctx.redirect('/?registered=1', 303);
      ctx.header('location', `/users/${result.user.id}`);
      return ctx.json(publicUser(result.user), 201);
    } catch (err) {
      if (form) return pages.formError(ctx, err);
      throw err;
    }
  };

  const rename = async (ctx: Context): Promise<Reply> => {
    const id = ctx.params.id!;
    requireSelf(ctx, id);
    const fields = await readFields(ctx);
    return applyChanges(ctx, id, { name: valid(validateName(fields.name)) });
  };

  const patch = async (ctx: Context): Promise<Reply> => {
    const id = ctx.params.id!;
    requireSelf(ctx, id);
    const fields = await readFields(ctx);
    const changes: { name?: string; passwordHash?: string } = {};
    if (fields.name !== undefined) changes.name = valid(validateName(fields.name));
    if (fields.password !== undefined) {
      const password = valid(validatePassword(fields.password));
      await checkCurrentPassword(ctx, await findUser(users, id), fields.currentPassword);
      changes.passwordHash = await hashPassword(password);
    }
    if (changes.name === undefined && changes.passwordHash === undefined) {
      throw new HttpError(400, 'NOTHING_TO_CHANGE', 'send name and/or password (with currentPassword)');
    }
    const reply = await applyChanges(ctx, id, changes);
    if (changes.passwordHash !== undefined) {
      // Whoever else holds a session of this member (another browser, a stolen cookie) is logged out, and this
      // session moves to a new id: an id seen before the change is worth nothing after it.
      await ctx.session.regenerate();
      await ctx.session.revokeOthers();
    }
    return reply;
  };

  /**
   * Changing a password needs the current one: a stolen session alone must not take the account over. Wrong
   * guesses count against the member's name like failed logins (one budget for both), so a stolen session is no
   * way around the login limit.
   */
  const checkCurrentPassword = async (ctx: Context, member: { name: string; passwordHash: string }, given: unknown): Promise<void> => {
    const account = accountKey(member.name);
    const verdict = await throttle.loginByName.hit(account);
    if (verdict.limited) throw tooManyAttempts(verdict);
    const matches = typeof given === 'string' && (await verifyPassword(given, member.passwordHash).catch(async (err: unknown) => {
      // Never judged (scrypt busy): the attempt is taken back, as for a login.
      await throttle.loginByName.undo(account).catch(() => {});
      throw err;
    }));
    if (!matches) {
      ctx.log.warn({ name: member.name, address: clientAddress(ctx) }, 'password change with a wrong current password');
      throw new HttpError(403, 'WRONG_PASSWORD', 'currentPassword is missing or wrong');
    }
    await throttle.loginByName.reset(account);
  };

  const applyChanges = async (ctx: Context, id: string, changes: { name?: string; passwordHash?: string }): Promise<Reply> => {
    const result = await users.update(id, changes);
    if (result === undefined) throw notFound();
    if (!result.ok) throw nameTaken();
    ctx.session.data.name = result.user.name;
    return ctx.json(publicUser(result.user));
  };

  const remove = async (ctx: Context): Promise<Reply> => {
    const id = ctx.params.id!;
    requireSelf(ctx, id);
    if (!(await users.delete(id))) throw notFound();
    // Every session of the member ends, this one and any other browser's: a deleted member is greeted nowhere.
    await ctx.session.revokeAll();
    return ctx.empty(204);
  };

  for (const base of ['/users', '/user']) {
    app.route(base).get(list).post(ACCOUNT_BODY, create);
    app.route(`${base}/:id`).get(show).put(ACCOUNT_BODY, rename).patch(ACCOUNT_BODY, patch).delete(remove);
  }
}

async function findUser(users: UserRepository, id: string) {
  const user = UUID.test(id) ? await users.findById(id) : undefined;
  if (user === undefined) throw notFound();
  return user;
}

/** The clean value, or the validator's own code and message as a 400. */
function valid<T>(result: Validated<T>): T {
  if (!result.ok) throw new HttpError(400, result.error.code, result.error.message);
  return result.value;
}

function parseLimit(raw: string | null): number {
  if (raw === null) return DEFAULT_PAGE;
  const limit = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || limit < 1 || limit > 100) throw new HttpError(400, 'BAD_LIMIT', 'limit must be an integer from 1 to 100');
  return limit;
}

const notFound = () => new HttpError(404, 'USER_NOT_FOUND', 'no such member');
const nameTaken = () => new HttpError(409, 'NAME_TAKEN', 'that name is taken');
