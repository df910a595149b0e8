// The compiled app serves its front end from beside itself (dist/app/public), as it does from app/public under tsx.
import { cp } from 'node:fs/promises';

await cp(new URL('../app/public/', import.meta.url), new URL('../dist/app/public/', import.meta.url), {
  recursive: true,
  force: true,
}).catch((err) => {
  if (err.code !== 'ENOENT') throw err;
});
