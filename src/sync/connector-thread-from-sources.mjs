// Starts the connector thread from the TypeScript sources (tests, tsx): registers tsx in this
// thread, then loads connector-thread.ts. The built daemon starts connector-thread.js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
