/** One member of the benchmark's in-memory directory; every peer server answers from the same data. */
export interface BenchUser {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly city: string;
  readonly joined: string;
}

const CITIES = ['Tokyo', 'Osaka', 'Lyon', 'Porto', 'Austin', 'Accra', 'Perth', 'Oslo'];

/** 100 users by id, built once at start-up. */
export const users: ReadonlyMap<number, BenchUser> = new Map(
  Array.from({ length: 100 }, (_, i) => {
    const id = i + 1;
    const user: BenchUser = { id, name: `User ${id}`, email: `user${id}@example.com`, city: CITIES[i % CITIES.length]!, joined: new Date(Date.UTC(2024, 0, 1 + id)).toISOString() };
    return [id, user] as const;
  }),
);

/** The list `GET /users` answers with (serialised per request by every server, like a real handler would). */
export const userList: readonly BenchUser[] = [...users.values()];

/** The port from env PORT, which the runner always sets. */
export function portFromEnv(): number {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`PORT must be set to a port number, got ${process.env.PORT}`);
  return port;
}
