// What the member directory keeps in a session: who is logged in. (Augments the toolkit's SessionData.)
declare module '../src/index.js' {
  interface SessionData {
    userId: string;
    name: string;
  }
}

export {};
