// Fastify 5 with its logger off and no response schemas: it serialises with JSON.stringify, as every peer does.
import Fastify from 'fastify';
import { portFromEnv, userList, users } from './users.js';

const app = Fastify({ logger: false });
app.get('/hello', (_req, reply) => reply.type('text/plain; charset=utf-8').send('Hello Node!'));
app.get('/users', () => userList);
app.get<{ Params: { id: string } }>('/users/:id', (req, reply) => {
  const user = users.get(Number(req.params.id));
  return user === undefined ? reply.code(404).send({ error: 'not found' }) : user;
});
await app.listen({ port: portFromEnv(), host: '127.0.0.1' });
