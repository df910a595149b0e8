// Fastify 5 with @fastify/static serving a directory (argv[2]), logger off, plugin defaults (ETag, Last-Modified).
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { portFromEnv } from './users.js';

const root = process.argv[2];
if (root === undefined) throw new TypeError('usage: static-fastify <root directory>');
const app = Fastify({ logger: false });
await app.register(fastifyStatic, { root });
await app.listen({ port: portFromEnv(), host: '127.0.0.1' });
