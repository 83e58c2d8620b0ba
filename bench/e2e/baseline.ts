import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import express from 'express';
import helmet from 'helmet';
import nodemailer from 'nodemailer';
import { request } from 'undici';

export interface BaselineReceiver {
  url: string;
  /** Errors of the asynchronous part (download, parse, send), which has no one to answer to. */
  readonly failures: string[];
  stop(): Promise<void>;
}

/**
 * Baseline of the end-to-end bench: what a hand-written script on the same libraries does with a
 * callback. Express 5 + helmet answers 202, then downloads the CSV (undici), parses it with
 * csv-parse summing a column, and emails the total with the CSV attached (nodemailer). No
 * queue, no records, no retries, no archive.
 */
export async function startBaselineReceiver(smtpUrl: string): Promise<BaselineReceiver> {
  const transport = nodemailer.createTransport(smtpUrl);
  const failures: string[] = [];
  const app = express();
  app.use(helmet());
  app.post('/callbacks/:id', express.json(), (req, res) => {
    const id = req.params.id;
    const { url } = req.body as { url: string };
    res.status(202).json({ received: true });
    void (async () => {
      const response = await request(url);
      const chunks: Buffer[] = [];
      let rows = 0;
      let total = 0;
      await pipeline(
        response.body,
        async function* keep(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            chunks.push(chunk);
            yield chunk;
          }
        },
        parse({ columns: true, bom: true }),
        async (records: AsyncIterable<Record<string, string>>) => {
          for await (const record of records) {
            rows++;
            total += Number(record.payloadBillableCount);
          }
        },
      );
      await transport.sendMail({
        from: 'report-script <script@localhost>',
        to: 'billing@example.com',
        subject: `Usage report ${id}`,
        text: `${rows} rows, ${total} billable payloads`,
        messageId: `<baseline-${id}@bench>`,
        attachments: [{ filename: 'usage.csv', content: Buffer.concat(chunks), contentType: 'text/csv' }],
      });
    })().catch((error: unknown) => failures.push(String(error)));
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    failures,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      transport.close();
    },
  };
}
