import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender, Scenario } from '../scenario.js';

const server = (file: string) => fileURLToPath(new URL(`../servers/${file}`, import.meta.url));
const node = (file: string, env?: Record<string, string>): Pick<Contender, 'command' | 'env'> => ({ command: () => [process.execPath, server(file)], ...(env === undefined ? {} : { env }) });
const APP_MAIN = fileURLToPath(new URL('../../app/main.js', import.meta.url));

/**
 * The core: maru against raw node:http (the baseline), Fastify, Express and Hono on the same three routes, plus
 * maru with its access log on and maru with 200 routes, and the real app's start-up time and idle memory.
 */
export const core: Scenario = {
  id: 'core',
  title: 'Core: routing and small replies',
  baseline: 'node:http',
  interleave: true,
  targets: [
    { name: 'GET /hello', path: '/hello' },
    { name: 'GET /users/:id', path: '/users/42' },
    { name: 'GET /users', path: '/users' },
  ],
  contenders: [
    { name: 'node:http', ...node('node-http.js') },
    { name: 'maru', ...node('maru.js') },
    { name: 'maru (access log on)', ...node('maru.js', { MARU_ACCESS_LOG: '1' }) },
    { name: 'maru (200 routes)', ...node('maru.js', { MARU_EXTRA_ROUTES: '190' }) },
    { name: 'fastify', ...node('fastify.js') },
    { name: 'express', ...node('express.js') },
    { name: 'hono', ...node('hono.js') },
    // The member directory itself (`maru serve`: static, same-origin and session middleware in front of its routes):
    // a request none of them concerns should cost almost nothing to pass them. Its /users is the real member list.
    {
      name: 'member directory',
      command: (port, workDir) => [process.execPath, APP_MAIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', join(workDir, 'member-directory')],
      env: { LOG_LEVEL: 'warn' },
      skip: ['GET /users/:id', 'GET /users'],
    },
  ],
  goals: [
    { contender: 'maru', against: 'node:http', atLeast: 0.98, targets: ['GET /hello'] },
    { contender: 'maru', against: 'node:http', atLeast: 0.95, targets: ['GET /users/:id', 'GET /users'] },
    { contender: 'maru', against: 'fastify', atLeast: 1.0 },
    { contender: 'member directory', against: 'node:http', atLeast: 0.95, targets: ['GET /hello'] },
  ],
};
