// The HTTP process: admin API and callback receiver (Procfile: web).
import { start } from './start.js';

await start('web');
