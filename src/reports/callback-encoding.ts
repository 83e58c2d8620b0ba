import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { AppError } from '../errors.js';

/**
 * A callback's body is kept as it arrived, compressed when it came with a Content-Encoding; its
 * content is decoded where it is read (the receiver decodes it too, to check its size and find
 * the job id it names). The codings are those the HTTP layer accepts (body-parser's).
 */
const DECODERS = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
} as const;

export type CallbackEncoding = keyof typeof DECODERS;

/** The body's coding from its Content-Encoding header: null for none (or "identity"). */
export function callbackEncodingOf(header: string | string[] | undefined): string | null {
  const value = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  return value === '' || value === 'identity' ? null : value;
}

export class CallbackEncodingError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('callback_encoding_invalid', message, { retryable: false, cause: options.cause });
  }
}

/** The content of a kept body: decoded when it was kept compressed, never past `maxBytes`. */
export async function decodeCallbackBody(body: Buffer, encoding: string | null | undefined, maxBytes: number): Promise<Buffer> {
  if (encoding === null || encoding === undefined) return body;
  if (!(encoding in DECODERS))
    throw new CallbackEncodingError(`the callback body is kept with the content coding "${encoding.slice(0, 40)}", which cannot be decoded`);
  try {
    // as: checked just above that the coding is one of DECODERS' keys.
    return await DECODERS[encoding as CallbackEncoding](body, { maxOutputLength: maxBytes });
  } catch (error) {
    throw new CallbackEncodingError(`the callback body does not decode as ${encoding} within ${maxBytes} bytes`, { cause: error });
  }
}
