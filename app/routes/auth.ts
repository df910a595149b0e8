import { HttpError, type App, type Context, type Reply } from '../../src/index.js';
import { verifyAgainstDummy, verifyPassword } from '../auth/password.js';
import type { UserRepository } from '../users/repo.js';
import { nameToLookUp, PASSWORD_MAX } from '../users/validate.js';
import { ACCOUNT_BODY, readFields, isFormPost } from './input.js';
import { requireMember } from './member.js';
import type { PageRenderer } from './pages.js';

// A valid password is at most PASSWORD_MAX code points, so at most twice as many UTF-16 units: longer input is
// refused before scrypt sees it, without turning away a valid password made of characters outside the BMP.
const MAX_PASSWORD_UNITS = 2 * PASSWORD_MAX;

/** Login, logout and "who am I". */
export function authRoutes(app: App, users: UserRepository, pages: PageRenderer): void {
  app.post('/login', ACCOUNT_BODY, async (ctx: Context): Promise<Reply> => {
    const form = isFormPost(ctx);
    try {
      const fields = await readFields(ctx);
      const user = await authenticate(users, fields.name, fields.password);
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
 * The member with this name and password, or a 401 that reads and takes the same whether the name exists or not:
 * an unknown name still pays for one scrypt verification.
 */
async function authenticate(users: UserRepository, name: unknown, password: unknown) {
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
