// Express 5 with its defaults (ETag, X-Powered-By), as an app would run it.
import express from 'express';
import { portFromEnv, userList, users } from './users.js';

const app = express();
app.get('/hello', (_req, res) => {
  res.type('text/plain').send('Hello Node!');
});
app.get('/users', (_req, res) => {
  res.json(userList);
});
app.get('/users/:id', (req, res) => {
  const user = users.get(Number(req.params.id));
  if (user === undefined) res.status(404).json({ error: 'not found' });
  else res.json(user);
});
app.listen(portFromEnv(), '127.0.0.1');
