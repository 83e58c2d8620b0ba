// The worker process: BullMQ report jobs and housekeeping (Procfile: worker).
import { start } from './start.js';

await start('worker');
