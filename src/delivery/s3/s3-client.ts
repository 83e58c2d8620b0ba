import { S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '../../errors.js';

export interface S3ConnectionOptions {
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** Connection and idle-socket timeout of every request (ARCHIVE_S3_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * The archive's S3 client. Checksums are sent and checked only where S3 requires them: several
 * S3-compatible stores do not understand the SDK's default trailing checksums (aws-chunked), and
 * the archive checks its own sha256 end to end anyway. No credentials given: the SDK's default
 * chain (environment, shared files, instance or task role).
 */
export function createS3Client(options: S3ConnectionOptions): S3Client {
  if ((options.accessKeyId === null) !== (options.secretAccessKey === null)) {
    throw new ValidationError('ARCHIVE_S3_ACCESS_KEY_ID and ARCHIVE_S3_SECRET_ACCESS_KEY must be set together');
  }
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint !== null ? { endpoint: options.endpoint } : {}),
    ...(options.accessKeyId !== null && options.secretAccessKey !== null
      ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
      : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A socket that stays silent this long is given up (the SDK retries, up to maxAttempts).
    requestHandler: { connectionTimeout: options.timeoutMs, socketTimeout: options.timeoutMs },
    maxAttempts: 3,
  });
}
