import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import type { Logger } from '../log.js';

/** TLS_CERT_FILE and TLS_KEY_FILE, as the configuration holds them. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** TLS 1.0 and 1.1 are deprecated (RFC 8996); said here, not left to Node's default, which a flag can lower. */
const MIN_VERSION = 'TLSv1.2';

/**
 * Reads the certificate and key and checks that they make a working pair (PEM that parses, a key
 * that belongs to the certificate). Errors name the setting and the path, never the content.
 */
async function readPair(files: TlsFiles): Promise<TlsPair> {
  const [cert, key] = await Promise.all([readSetting('TLS_CERT_FILE', files.certFile), readSetting('TLS_KEY_FILE', files.keyFile)]);
  try {
    createSecureContext({ cert, key, minVersion: MIN_VERSION });
  } catch (error) {
    throw new Error(`TLS_CERT_FILE and TLS_KEY_FILE do not make a usable pair (${files.certFile}, ${files.keyFile}): ${reasonOf(error)}`, { cause: error });
  }
  return { cert, key };
}

async function readSetting(name: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`${name}: cannot read ${path} (${reasonOf(error)})`, { cause: error });
  }
}

/** An error's code or message: OpenSSL's and the file system's name the problem, not the data. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('E')) return error.code;
  return error instanceof Error ? error.message : String(error);
}

/** What an operator checks after a start or a reload: which certificate is served, and until when. */
function describe(cert: Buffer): { subject: string; fingerprint256: string; validTo: string } {
  const x509 = new X509Certificate(cert);
  return { subject: x509.subject, fingerprint256: x509.fingerprint256, validTo: x509.validTo };
}

/** An HTTPS server for `app` with the pair in `files`; it does not listen. */
export async function createTlsServer(app: RequestListener, files: TlsFiles, logger: Logger): Promise<Server> {
  const pair = await readPair(files);
  const server = createServer({ ...pair, minVersion: MIN_VERSION }, app);
  logger.info({ certificate: describe(pair.cert) }, 'serving HTTPS');
  return server;
}

/**
 * Reads the pair again and serves it to new connections; connections already open keep theirs.
 * A pair that cannot be read or does not match is logged (the error's reason, not the key) and
 * the previous one stays. Resolves whether the new pair is served.
 */
export async function reloadTlsFiles(server: TlsServer, files: TlsFiles, logger: Logger): Promise<boolean> {
  let pair: TlsPair;
  try {
    pair = await readPair(files);
  } catch (error) {
    logger.error({ err: error }, 'TLS reload failed: still serving the previous certificate');
    return false;
  }
  server.setSecureContext({ ...pair, minVersion: MIN_VERSION });
  logger.info({ certificate: describe(pair.cert) }, 'TLS certificate reloaded');
  return true;
}
