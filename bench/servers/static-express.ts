// Express 5 with express.static serving a directory (argv[2]), its defaults (ETag, Last-Modified, Cache-Control).
import express from 'express';
import { portFromEnv } from './users.js';

const root = process.argv[2];
if (root === undefined) throw new TypeError('usage: static-express <root directory>');
const app = express();
app.use(express.static(root));
app.listen(portFromEnv(), '127.0.0.1');
