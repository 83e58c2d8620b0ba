import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { renderReportEmail, type ReportEmailInput } from '../../delivery/render-email.js';
import type { MailAttachment } from '../../delivery/mailer.js';
import type { ReportRecord } from '../../reports/record.js';
import type { ReportSummary } from '../../summary/types.js';
import type { StepDeps } from '../step-deps.js';
import { writeFileAtomically } from '../../files/atomic-file.js';
import { fileSize, workPaths } from '../work-files.js';
import { StepFailure } from './step-failure.js';

/** The Message-ID of a report's email: the same on every attempt, so receivers can spot a repeat. */
export function reportMessageId(reportId: string): string {
  return `<report-${reportId}@report-relay>`;
}

/** The schedule's name for the email: as recorded when the report was made (older records only know its id). */
function scheduleNameOf(record: ReportRecord): { scheduleName?: string } {
  if (record.scheduleName !== null) return { scheduleName: record.scheduleName };
  return record.scheduleId === null ? {} : { scheduleName: `schedule ${record.scheduleId}` };
}

/**
 * Emails the summary with the (formula-neutralized, maybe gzipped) CSV attached. The record's
 * email marker makes a re-run skip a sent email. The SMTP hand-off itself is the one step that
 * is at-least-once: if the process dies after the server accepted the message and before the
 * marker is written, the next run sends it again (with the same Message-ID). `emailAttempts`
 * counts hand-offs started, so such a repeat is visible on the record.
 */
export async function emailStep(deps: StepDeps, record: ReportRecord, signal?: AbortSignal): Promise<void> {
  if (!record.delivery.email || record.delivery.recipients.length === 0 || record.email) return;
  if (!record.summary) throw new Error('emailStep needs a summary');
  const paths = workPaths(deps.workDir, record.id);

  // The summary step usually wrote it (downloadStep removes it whenever the CSV is written anew).
  if ((await fileSize(paths.attachment)) === null) await deps.neutralize(paths.csv, paths.attachment);
  const attachment = await prepareAttachment(deps, record, paths);
  const chart = await prepareChart(deps, record.id, record.summary, paths.chart);
  const input: ReportEmailInput = {
    reportId: record.id,
    instanceId: deps.instanceId,
    request: { ...record.request, ...scheduleNameOf(record) },
    summary: record.summary,
    comparison: record.comparison,
    archiveLocation: record.archive?.csv.location ?? null,
    archiveLink: await archiveLinkFor(deps, record),
    attachment: attachment.info,
    generatedAt: deps.now(),
    chart: chart?.ref ?? null,
  };
  const rendered = renderReportEmail(input);

  const attempt = record.emailAttempts + 1;
  // The last write before the hand-off: in a run that another worker has taken over, it is
  // refused (RunTakenOverError) and nothing is sent.
  await deps.store.noteEmailAttempt(record.id, attempt, `email hand-off ${attempt} started`);
  await replicasHoldTheNote(deps, attempt);
  const sent = await deps.mailer.send(
    {
      from: deps.mail.from,
      to: record.delivery.recipients,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: reportMessageId(record.id),
      attachments: chart ? [...attachment.files, chart.file] : attachment.files,
      headers: { 'X-Report-Id': record.id },
    },
    signal,
    deps.logger,
  );
  await deps.store.markEmailed(
    record.id,
    {
      messageId: sent.messageId,
      accepted: sent.accepted,
      rejected: sent.rejected,
      outboxPath: sent.outboxPath,
      sentAt: deps.now().toISOString(),
      attachment: attachment.files[0]?.filename ?? 'none',
    },
    sent.outboxPath ? `email written to ${sent.outboxPath}` : `email accepted for ${sent.accepted.length} recipient(s)`,
  );
}

/**
 * With REDIS_WAIT_REPLICAS, nothing is sent until enough replicas hold the hand-off note: a
 * worker still on a master that a failover is leaving behind (it takes the sentinels a few seconds
 * to turn it into a replica) would otherwise send an email whose record is then lost, and the job,
 * still running on the new master, would send it again. Fewer confirmations: the attempt fails
 * before sending, and the job is retried (on the new master, once the connection follows it).
 */
async function replicasHoldTheNote(deps: StepDeps, attempt: number): Promise<void> {
  const replicas = deps.replicas;
  if (replicas === undefined) return;
  const acked = await replicas.acked();
  if (acked >= replicas.wanted) return;
  throw new StepFailure(
    'email',
    'redis_not_replicated',
    `${acked} of the ${replicas.wanted} Redis replicas required confirmed email hand-off ${attempt} in time; nothing was sent, the report is tried again`,
    false,
  );
}

/** The Content-ID the HTML names the chart by; per report, so two reports in one mailbox never mix. */
function chartCid(reportId: string): string {
  return `chart-${reportId.replace(/[^\w.-]/gu, '_')}@report-relay`;
}

/**
 * Draws the chart and writes it beside the attachment. A chart is a nicety: any failure is
 * logged and the email goes without it (its figures are in the tables and the text anyway).
 */
async function prepareChart(
  deps: StepDeps,
  reportId: string,
  summary: ReportSummary,
  path: string,
): Promise<{ ref: NonNullable<ReportEmailInput['chart']>; file: MailAttachment } | null> {
  if (!deps.drawChart) return null;
  try {
    const started = performance.now();
    const chart = deps.drawChart(summary);
    if (chart === null) return null;
    await writeFileAtomically(path, Readable.from([chart.png]));
    deps.logger.info({ ms: Math.round(performance.now() - started), bytes: chart.png.length }, 'email chart drawn');
    const cid = chartCid(reportId);
    return { ref: { cid, alt: chart.alt, width: chart.width, height: chart.height }, file: { filename: 'chart.png', path, contentType: 'image/png', cid } };
  } catch (error) {
    deps.logger.warn({ err: error }, 'email chart not drawn; sending without it');
    return null;
  }
}

async function prepareAttachment(
  deps: StepDeps,
  record: ReportRecord,
  paths: ReturnType<typeof workPaths>,
): Promise<{ files: MailAttachment[]; info: ReportEmailInput['attachment'] }> {
  const name = `losant-usage-${record.id}.csv`;
  const plainBytes = (await fileSize(paths.attachment)) ?? 0;
  if (plainBytes <= deps.mail.gzipAboveBytes && plainBytes <= deps.mail.maxAttachmentBytes) {
    return {
      files: [{ filename: name, path: paths.attachment, contentType: 'text/csv' }],
      info: { filename: name, bytes: plainBytes, compressed: false },
    };
  }
  // The summary step usually wrote the gzip copy beside the attachment; both are written under a
  // temporary name and renamed, so a file found here is whole.
  let gzBytes = await fileSize(paths.attachmentGz);
  if (gzBytes === null) {
    // The callback form of pipeline hands back the gzip stream and destroys it if the read fails.
    await writeFileAtomically(
      paths.attachmentGz,
      pipeline(createReadStream(paths.attachment), createGzip(), () => undefined),
    );
    gzBytes = (await fileSize(paths.attachmentGz)) ?? 0;
  }
  if (gzBytes > deps.mail.maxAttachmentBytes) {
    const where = record.archive ? ' it is in the archive' : ' enable archiving to keep it';
    return {
      files: [],
      info: { omittedReason: `the CSV is ${gzBytes} bytes even compressed, above the ${deps.mail.maxAttachmentBytes}-byte attachment limit;${where}` },
    };
  }
  return {
    files: [{ filename: `${name}.gz`, path: paths.attachmentGz, contentType: 'application/gzip' }],
    info: { filename: `${name}.gz`, bytes: gzBytes, compressed: true },
  };
}

/**
 * A presigned link to the archived CSV, when EMAIL_ARCHIVE_LINK_HOURS asks for one and the archive
 * can sign it. A link that cannot be made leaves it out (logged): the email still goes. The link
 * carries a signature: it is put in the email only, never logged.
 */
async function archiveLinkFor(deps: StepDeps, record: ReportRecord): Promise<{ url: string; expiresAt: Date } | null> {
  const seconds = deps.mail.archiveLinkSeconds ?? 0;
  if (seconds <= 0 || !record.archive || deps.archive.linkFor === undefined) return null;
  try {
    const url = await deps.archive.linkFor(record.archive.csv.key, seconds);
    return { url, expiresAt: new Date(deps.now().getTime() + seconds * 1_000) };
  } catch (error) {
    deps.logger.warn({ err: error }, 'no download link for the archived CSV; the email goes without it');
    return null;
  }
}
