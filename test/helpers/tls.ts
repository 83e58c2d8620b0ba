import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request, type Agent } from 'node:https';
import { TLSSocket } from 'node:tls';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** PEM, for a client's `ca` (the certificate is self-signed: it is its own CA). */
  cert: Buffer;
  fingerprint256: string;
}

/** A throwaway self-signed certificate for localhost and 127.0.0.1, made by openssl in `dir` as `<name>-cert.pem` and `<name>-key.pem`. */
export async function makeCertificate(dir: string, name: string): Promise<TestCertificate> {
  const certFile = join(dir, `${name}-cert.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  const cert = await readFile(certFile);
  return { certFile, keyFile, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the server presented on the connection this request went over. */
  fingerprint256: string;
  /** The request went over a keep-alive connection opened by an earlier one. */
  reusedSocket: boolean;
}

/** GET `url` over HTTPS trusting only `ca`, through `agent` (keep-alive, so a test can follow one connection). */
export function httpsGet(url: string, options: { ca: Buffer[]; agent: Agent }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: options.ca, agent: options.agent }, (res) => {
      // Read now: at the end the socket goes back to the agent.
      const socket = res.socket;
      if (!(socket instanceof TLSSocket)) {
        reject(new Error('the answer did not come over TLS'));
        return;
      }
      const fingerprint256 = socket.getPeerCertificate().fingerprint256;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          fingerprint256,
          reusedSocket: req.reusedSocket,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
