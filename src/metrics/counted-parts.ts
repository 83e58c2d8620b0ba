import type { Mailer } from '../delivery/mailer.js';
import { errorCode } from '../errors.js';
import type { StepDeps } from '../jobs/step-deps.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * The job's downloads and emails, counted where the steps call them: whatever downloader or
 * mailer is in place (the configured one or a test's), each call is counted once, by its result.
 */

export function countedDownload(download: StepDeps['download'], metrics: Pick<ServiceMetrics, 'downloaded' | 'downloadFailed'>): StepDeps['download'] {
  return async (url, destinationPath, options) => {
    try {
      const result = await download(url, destinationPath, options);
      metrics.downloaded(result.bytes);
      return result;
    } catch (error) {
      metrics.downloadFailed(errorCode(error) ?? 'unknown');
      throw error;
    }
  };
}

export function countedMailer(mailer: Mailer, metrics: Pick<ServiceMetrics, 'emailSent' | 'emailFailed'>): Mailer {
  return {
    get description() {
      return mailer.description;
    },
    async send(message, signal, logger) {
      try {
        const sent = await mailer.send(message, signal, logger);
        metrics.emailSent();
        return sent;
      } catch (error) {
        metrics.emailFailed(errorCode(error) ?? 'unknown');
        throw error;
      }
    },
    verify: () => mailer.verify(),
    close: () => {
      mailer.close();
    },
  };
}
