import { writeSync } from 'node:fs';

/**
 * Preloaded by runChild into the measured process. It reports peak RSS on exit through file
 * descriptor 3, so the measured script needs no cooperation and its stdout stays its own.
 */
process.on('exit', () => {
  const report = JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS });
  try {
    writeSync(3, report);
  } catch {
    // Started without the report pipe (not through runChild): nothing to report to.
  }
});
