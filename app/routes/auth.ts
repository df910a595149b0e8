import { HttpError, tooManyAttempts, type App, type Context, type Reply } from '../../src/index.js';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from '../auth/password.js';
import { accountKey, clientAddress, clientKey, type AccountThrottle } from '../auth/throttle.js';
import type { UserRecord, UserRepository } from '../users/repo.js';
import { nameToLookUp, PASSWORD_MAX } from '../users/validate.js';
import { ACCOUNT_BODY, readFields, isFormPost } from './input.js';
import { requireMember } from './member.js';
import type { PageRenderer } from './pages.js';

// A valid password is at most PASSWORD_MAX code points, so at most twice as many UTF-16 units: longer input is
// refused before scrypt sees it, without turning away a valid password made of characters outside the BMP.
const MAX_PASSWORD_UNITS = 2 * PASSWORD_MAX;
/** How much of a submitted name a log line keeps. */
const LOGGED_NAME = 64;

/** Login, logout and "who am I". */
export function authRoutes(app: App, users: UserRepository, pages: PageRenderer, throttle: AccountThrottle): void {
  app.post('/login', ACCOUNT_BODY, async (ctx: Context): Promise<Reply> => {
    const form = isFormPost(ctx);
    try {
      const fields = await readFields(ctx);
      const user = await throttledLogin(ctx, users, throttle, fields.name, fields.password);
      // A fresh id for the logged-in session, owned by the member (so a password change or account deletion can
      // end it): whatever id the visitor had before is dead (no session fixation).
      await ctx.session.regenerate({ owner: user.id });
      ctx.session.data.userId = user.id;
      ctx.session.data.name = user.name;
      return form ? ctx.redirect('/', 303) : ctx.json({ id: user.id, name: user.name });
    } catch (err) {
      if (form) return pages.formError(ctx, err);
      throw err;
    }
  });

  app.post('/logout', async (ctx) => {
    await ctx.session.destroy();
    return ctx.redirect('/', 303);
  });

  app.get('/me', (ctx) => {
    const me = requireMember(ctx);
    return ctx.json({ id: me.id, name: me.name });
  });
}

/**
 * Login with both limits: the client address and the account name are each counted before the password is
 * checked, so a client over either limit gets the 429 even with the right password, and the answer is the same
 * whether the account exists or not (the name is counted either way, by its uniqueness key, so names that look
 * alike share one count). The address is counted first, so a client already over its limit cannot make the name
 * counters grow. A success gives the name its whole limit back and takes the address's count back; a failure is
 * logged at warn with the name and the address, never the password. An attempt that was never judged (scrypt
 * busy: 503) is taken back from both: it told the client nothing.
 */
async function throttledLogin(ctx: Context, users: UserRepository, throttle: AccountThrottle, name: unknown, password: unknown): Promise<UserRecord> {
  const address = clientKey(ctx);
  const byAddress = await throttle.loginByAddress.hit(address);
  if (byAddress.limited) throw tooManyAttempts(byAddress);
  const account = accountKey(name);
  const byName = await throttle.loginByName.hit(account);
  if (byName.limited) throw tooManyAttempts(byName);
  let user: UserRecord;
  try {
    user = await authenticate(users, name, password);
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) {
      ctx.log.warn({ name: typeof name === 'string' ? name.slice(0, LOGGED_NAME) : null, address: clientAddress(ctx) }, 'login failed');
    } else {
      // Best effort: the client gets the error that stopped the login, not a counter's.
      await Promise.all([throttle.loginByName.undo(account), throttle.loginByAddress.undo(address)]).catch(() => {});
    }
    throw err;
  }
  await Promise.all([throttle.loginByName.reset(account), throttle.loginByAddress.undo(address)]);
  await upgradeHash(ctx, users, user, password as string);
  return user;
}

/**
 * The member with this name and password, or a 401 that reads and takes the same whether the name exists or not:
 * an unknown name still pays for one scrypt verification.
 */
async function authenticate(users: UserRepository, name: unknown, password: unknown): Promise<UserRecord> {
  const failed = () => new HttpError(401, 'LOGIN_FAILED', 'wrong name or password');
  if (typeof name !== 'string' || typeof password !== 'string' || password.length > MAX_PASSWORD_UNITS) {
    await verifyAgainstDummy(typeof password === 'string' ? password.slice(0, MAX_PASSWORD_UNITS) : '');
    throw failed();
  }
  const lookUp = nameToLookUp(name);
  const user = lookUp === undefined ? undefined : await users.findByName(lookUp);
  if (user === undefined) {
    await verifyAgainstDummy(password);
    throw failed();
  }
  if (!(await verifyPassword(password, user.passwordHash))) throw failed();
  return user;
}

/**
 * A hash made with older scrypt parameters is replaced by one with today's, now that the password is at hand
 * (the only moment it is). A failure to store it is logged and the login goes on: the old hash still works.
 */
async function upgradeHash(ctx: Context, users: UserRepository, user: UserRecord, password: string): Promise<void> {
  if (!needsRehash(user.passwordHash)) return;
  try {
    await users.update(user.id, { passwordHash: await hashPassword(password) });
  } catch (err) {
    ctx.log.warn({ err, userId: user.id }, 'could not upgrade a password hash');
  }
}
