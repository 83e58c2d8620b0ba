// Runs the HTTP side and the workers in one process, for a single machine.
import { start } from './start.js';

await start('all');
