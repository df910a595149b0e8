// Hono on @hono/node-server, which adapts node:http requests to the Fetch API's Request/Response.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { portFromEnv, userList, users } from './users.js';

const app = new Hono();
app.get('/hello', (c) => c.text('Hello Node!'));
app.get('/users', (c) => c.json(userList));
app.get('/users/:id', (c) => {
  const user = users.get(Number(c.req.param('id')));
  return user === undefined ? c.json({ error: 'not found' }, 404) : c.json(user);
});
serve({ fetch: app.fetch, port: portFromEnv(), hostname: '127.0.0.1' });
