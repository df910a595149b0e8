// Fastify 5 over TLS with `http2: true` and `allowHTTP1` (its documented way to serve both on one port), logger
// off, @fastify/static for the stylesheet under /static/.
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { tlsFiles, tlsWorkDir } from './tls-files.js';
import { portFromEnv, userList } from './users.js';

const { cert, key, root } = tlsFiles(tlsWorkDir());
const app = Fastify({ logger: false, http2: true, https: { allowHTTP1: true, cert, key } });
await app.register(fastifyStatic, { root, prefix: '/static/' });
app.get('/hello', (_req, reply) => reply.type('text/plain; charset=utf-8').send('Hello Node!'));
app.get('/users', () => userList);
await app.listen({ port: portFromEnv(), host: '127.0.0.1' });
