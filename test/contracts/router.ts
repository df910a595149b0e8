import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../../src/errors.js';
import type { RouteMatch, Router } from '../../src/router/router.js';

/**
 * The behaviour every Router implementation must have. Run it from the implementation's test file:
 *
 * @example
 * routerContract('trie router', () => createTrieRouter());
 */
export function routerContract(name: string, createRouter: <T>() => Router<T>): void {
  const routerWith = (routes: [method: string, pattern: string][]): Router<string> => {
    const router = createRouter<string>();
    for (const [method, pattern] of routes) router.add(method, pattern, `${method} ${pattern}`);
    return router;
  };
  const found = (match: RouteMatch<string>): { value: string; params: Record<string, string> } => {
    assert.equal(match.kind, 'found', `expected a match, got ${JSON.stringify(match)}`);
    return match.kind === 'found' ? { value: match.value, params: { ...match.params } } : { value: '', params: {} };
  };

  describe(`${name} (router contract)`, () => {
    test('finds a static route and gives it no params', () => {
      const router = routerWith([['GET', '/'], ['GET', '/hello'], ['GET', '/a/b/c']]);
      assert.deepEqual(found(router.find('GET', '/')), { value: 'GET /', params: {} });
      assert.deepEqual(found(router.find('GET', '/hello')), { value: 'GET /hello', params: {} });
      assert.deepEqual(found(router.find('GET', '/a/b/c')), { value: 'GET /a/b/c', params: {} });
    });

    test('does not treat a trailing slash or a prefix as the same path', () => {
      const router = routerWith([['GET', '/hello'], ['GET', '/a/b']]);
      assert.equal(router.find('GET', '/hello/').kind, 'not-found');
      assert.equal(router.find('GET', '/hell').kind, 'not-found');
      assert.equal(router.find('GET', '/a').kind, 'not-found');
      assert.equal(router.find('GET', '/a/b/c').kind, 'not-found');
    });

    test('fills :params, one segment each', () => {
      const router = routerWith([['GET', '/users/:id'], ['GET', '/users/:id/posts/:post']]);
      assert.deepEqual(found(router.find('GET', '/users/42')).params, { id: '42' });
      assert.deepEqual(found(router.find('GET', '/users/42/posts/7')).params, { id: '42', post: '7' });
      assert.equal(router.find('GET', '/users/').kind, 'not-found');
      assert.equal(router.find('GET', '/users/42/posts').kind, 'not-found');
    });

    test('percent-decodes params, including an encoded slash', () => {
      const router = routerWith([['GET', '/users/:name']]);
      assert.equal(found(router.find('GET', '/users/%EA%B9%80%20a')).params.name, '김 a');
      assert.equal(found(router.find('GET', '/users/a%2Fb')).params.name, 'a/b');
    });

    test('answers an invalid percent-encoding in a param with a 400 HttpError, not a crash', () => {
      const router = routerWith([['GET', '/users/:name']]);
      for (const bad of ['/users/%', '/users/%zz', '/users/%E0%A4%A', '/users/%C0%AF']) {
        assert.throws(
          () => router.find('GET', bad),
          (err: unknown) => err instanceof HttpError && err.status === 400 && err.code === 'BAD_PATH_ENCODING',
          bad,
        );
      }
    });

    test('gives a trailing * the rest of the path, still percent-encoded', () => {
      const router = routerWith([['GET', '/static/*']]);
      assert.deepEqual(found(router.find('GET', '/static/css/site.css')).params, { '*': 'css/site.css' });
      assert.deepEqual(found(router.find('GET', '/static/a%2Fb/%E2%9C%93')).params, { '*': 'a%2Fb/%E2%9C%93' });
      assert.deepEqual(found(router.find('GET', '/static/')).params, { '*': '' });
      // A bad escape is the file server's to judge, not the router's.
      assert.deepEqual(found(router.find('GET', '/static/%zz')).params, { '*': '%zz' });
    });

    test('prefers static over :param over *, backtracking out of a dead end', () => {
      const router = routerWith([
        ['GET', '/users/new'],
        ['GET', '/users/:id'],
        ['GET', '/users/:id/edit'],
        ['GET', '/users/new/settings'],
        ['GET', '/*'],
      ]);
      assert.equal(found(router.find('GET', '/users/new')).value, 'GET /users/new');
      assert.equal(found(router.find('GET', '/users/7')).value, 'GET /users/:id');
      // `new` is static, but /users/new/edit exists only through :id.
      assert.deepEqual(found(router.find('GET', '/users/new/edit')), { value: 'GET /users/:id/edit', params: { id: 'new' } });
      assert.equal(found(router.find('GET', '/users/new/settings')).value, 'GET /users/new/settings');
      // Nothing under /users matches two more segments: back up to the root wildcard.
      assert.deepEqual(found(router.find('GET', '/users/7/edit/more')), { value: 'GET /*', params: { '*': 'users/7/edit/more' } });
    });

    test('does not leak params of a branch it backed out of', () => {
      const router = routerWith([['GET', '/a/:x/b'], ['GET', '/a/*']]);
      assert.deepEqual(found(router.find('GET', '/a/1/c')).params, { '*': '1/c' });
    });

    test('matches a route of the request method where a static route of another method has the same path', () => {
      const router = routerWith([['GET', '/users/new'], ['POST', '/users/:id']]);
      assert.deepEqual(found(router.find('POST', '/users/new')), { value: 'POST /users/:id', params: { id: 'new' } });
      assert.equal(found(router.find('GET', '/users/new')).value, 'GET /users/new');
    });

    test('answers not-found for a path no pattern matches', () => {
      const router = routerWith([['GET', '/'], ['GET', '/users/:id']]);
      assert.deepEqual(router.find('GET', '/nope'), { kind: 'not-found' });
      assert.deepEqual(router.find('DELETE', '/nope/deeper'), { kind: 'not-found' });
    });

    test('answers not-found for a request-target that is not an origin-form path', () => {
      const router = routerWith([['GET', '/'], ['GET', '/*']]);
      for (const target of ['*', '', 'hello', 'http://example.com/']) assert.equal(router.find('GET', target).kind, 'not-found', target);
    });

    test('answers method-not-allowed with the exact Allow: GET implies HEAD, OPTIONS always', () => {
      const router = routerWith([['GET', '/a'], ['POST', '/a'], ['DELETE', '/b/:id'], ['PUT', '/c']]);
      assert.deepEqual(router.find('PUT', '/a'), { kind: 'method-not-allowed', allow: 'GET, HEAD, OPTIONS, POST' });
      assert.deepEqual(router.find('GET', '/b/1'), { kind: 'method-not-allowed', allow: 'DELETE, OPTIONS' });
      assert.deepEqual(router.find('HEAD', '/c'), { kind: 'method-not-allowed', allow: 'OPTIONS, PUT' });
      assert.deepEqual(router.find('PROPFIND', '/a'), { kind: 'method-not-allowed', allow: 'GET, HEAD, OPTIONS, POST' });
    });

    test('lists in Allow the methods of every pattern that matches the path', () => {
      const router = routerWith([['GET', '/users/new'], ['DELETE', '/users/:id']]);
      assert.deepEqual(router.find('PUT', '/users/new'), { kind: 'method-not-allowed', allow: 'DELETE, GET, HEAD, OPTIONS' });
      assert.deepEqual(router.find('PUT', '/users/7'), { kind: 'method-not-allowed', allow: 'DELETE, OPTIONS' });
      assert.deepEqual(router.find('OPTIONS', '/users/new'), { kind: 'options', allow: 'DELETE, GET, HEAD, OPTIONS' });
    });

    test('serves HEAD with the GET route unless a HEAD route exists', () => {
      const router = routerWith([['GET', '/a'], ['GET', '/b/:id'], ['GET', '/c'], ['HEAD', '/c']]);
      assert.equal(found(router.find('HEAD', '/a')).value, 'GET /a');
      assert.deepEqual(found(router.find('HEAD', '/b/1')), { value: 'GET /b/:id', params: { id: '1' } });
      assert.equal(found(router.find('HEAD', '/c')).value, 'HEAD /c');
    });

    test('answers OPTIONS with Allow unless an OPTIONS route exists', () => {
      const router = routerWith([['GET', '/a'], ['PATCH', '/b/:id'], ['OPTIONS', '/c'], ['GET', '/c']]);
      assert.deepEqual(router.find('OPTIONS', '/a'), { kind: 'options', allow: 'GET, HEAD, OPTIONS' });
      assert.deepEqual(router.find('OPTIONS', '/b/9'), { kind: 'options', allow: 'OPTIONS, PATCH' });
      assert.equal(found(router.find('OPTIONS', '/c')).value, 'OPTIONS /c');
      assert.equal(router.find('OPTIONS', '/nope').kind, 'not-found');
    });

    test('takes the method in any case at set-up', () => {
      const router = routerWith([['get', '/a']]);
      assert.equal(found(router.find('GET', '/a')).value, 'get /a');
    });

    test('throws at set-up on a route defined twice, including through another spelling', () => {
      const router = routerWith([['GET', '/a'], ['GET', '/users/:id']]);
      assert.throws(() => router.add('GET', '/a', 'again'), /defined twice/);
      assert.throws(() => router.add('get', '/a', 'again'), /defined twice/);
      assert.throws(() => router.add('GET', '/users/:id', 'again'), /defined twice/);
    });

    test('throws at set-up on a bad pattern', () => {
      const router = routerWith([['GET', '/users/:id']]);
      for (const bad of ['', 'users', '/a/:', '/a/:b-c', '/a/*/b', '/a/*x', '/a/**', '/caf\u00e9', '/a b', '/a?x=1', '/a#top']) {
        assert.throws(() => router.add('GET', bad, 'x'), TypeError, JSON.stringify(bad));
      }
      assert.throws(() => router.add('GET', '/users/:name/x', 'x'), /another route has :id/);
      for (const method of ['', 'GE T', 'GET\r\n']) assert.throws(() => router.add(method, '/m', 'x'), /HTTP token/, JSON.stringify(method));
      router.add('GET', '/caf%C3%A9', 'encoded');
      assert.equal(found(router.find('GET', '/caf%C3%A9')).value, 'encoded');
    });

    test('stays correct with 200 routes', () => {
      const routes: [string, string][] = [];
      for (let i = 0; i < 50; i++) {
        routes.push(['GET', `/static${i}`], ['GET', `/r${i}/:id`], ['POST', `/r${i}/:id/items`], ['GET', `/r${i}/:id/items/:item`]);
      }
      const router = routerWith(routes);
      for (let i = 0; i < 50; i++) {
        assert.equal(found(router.find('GET', `/static${i}`)).value, `GET /static${i}`);
        assert.deepEqual(found(router.find('GET', `/r${i}/x${i}`)), { value: `GET /r${i}/:id`, params: { id: `x${i}` } });
        assert.equal(found(router.find('POST', `/r${i}/1/items`)).value, `POST /r${i}/:id/items`);
        assert.deepEqual(found(router.find('GET', `/r${i}/1/items/2`)).params, { id: '1', item: '2' });
        assert.deepEqual(router.find('GET', `/r${i}/1/items`), { kind: 'method-not-allowed', allow: 'OPTIONS, POST' });
      }
      assert.equal(router.find('GET', '/static50').kind, 'not-found');
      assert.equal(router.find('GET', '/r50/1').kind, 'not-found');
    });

    test('gives each lookup its own params object', () => {
      const router = routerWith([['GET', '/users/:id']]);
      const first = found(router.find('GET', '/users/1'));
      router.find('GET', '/users/2');
      assert.equal(first.params.id, '1');
    });
  });
}
