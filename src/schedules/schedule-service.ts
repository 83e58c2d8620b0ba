import { ConflictError, errorMessage, InternalError, NotFoundError, UnavailableError, ValidationError, formatIssues } from '../errors.js';
import { LosantApiError } from '../losant/errors.js';
import type { Logger } from '../log.js';
import { reportConfigSchema, type ReportConfig } from '../losant/request-schemas.js';
import type { Instance, InstanceReportConfig } from '../losant/response-schemas.js';
import { generateId, generateSecret, hashSecret, SCHEDULE_ID_PATTERN } from '../reports/secrets.js';
import { createScheduleSchema, rotateSecretSchema, updateScheduleSchema, type Schedule } from './schedule.js';
import type { Lease } from '../redis-lease.js';
import type { ScheduleStore } from './schedule-store.js';

const MAX_CONFIGS = 10;

/** The Losant calls schedules need. */
export interface ReportConfigApi {
  get(): Promise<Instance>;
  /** The whole array: the configs this service manages and the instance's others as Losant gave them. */
  patch(body: { reportConfigs: Array<ReportConfig | InstanceReportConfig> }): Promise<Instance>;
}

export interface ScheduleServiceDeps {
  store: ScheduleStore;
  losant: ReportConfigApi;
  publicUrl: string;
  defaultRecipients: readonly string[];
  logger: Logger;
  now?: () => Date;
}

/** A schedule with the report config Losant holds for it now (null if missing there). */
export interface ScheduleWithConfig extends Schedule {
  /** Its callback URL carries the secret: the admin API's view leaves it out. */
  losantConfig: InstanceReportConfig | null;
}

/**
 * Manages the schedules this service owns inside the instance's reportConfigs. Losant's PATCH
 * replaces the whole array, so every change reads the array, changes only our own entries and
 * writes it back, under a lock; configs that others made are passed back exactly as they were.
 */
/** Failures after which a PATCH may have been applied: no answer came, or not one that says it was refused. */
const UNCONFIRMED: ReadonlySet<string> = new Set([
  'losant_timeout',
  'losant_unreachable',
  'losant_unavailable',
  'losant_bad_response',
  'losant_unexpected_status',
]);
const mayHaveBeenWritten = (error: unknown): boolean => error instanceof LosantApiError && UNCONFIRMED.has(error.code);

export function createScheduleService(deps: ScheduleServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const callbackPrefix = (id: string) => `${deps.publicUrl}/callbacks/s/${id}/`;
  const isOurs = (config: InstanceReportConfig, id: string) => config.callbackUrl?.startsWith(callbackPrefix(id)) ?? false;

  function toConfig(schedule: Schedule, secret: string, losantId: string | null): ReportConfig {
    return {
      ...(losantId ? { id: losantId } : {}),
      cron: schedule.cron,
      timezone: schedule.timezone,
      resourceGroupBy: schedule.resourceGroupBy,
      dateGroupBy: schedule.dateGroupBy,
      periods: schedule.periods,
      includeSandbox: schedule.includeSandbox,
      callbackUrl: `${callbackPrefix(schedule.id)}${secret}`,
    };
  }

  function delivery(input: { recipients?: string[] | undefined; email?: boolean | undefined; archive?: boolean | undefined }, base?: Schedule['delivery']) {
    const recipients = input.recipients ?? base?.recipients ?? [...deps.defaultRecipients];
    const email = input.email ?? base?.email ?? recipients.length > 0;
    const archive = input.archive ?? base?.archive ?? true;
    if (email && recipients.length === 0) throw new ValidationError('email is requested but there are no recipients: give "recipients" or set REPORT_EMAIL_TO');
    if (!email && !archive) throw new ValidationError('nothing to deliver: set "email" or "archive" (or both) to true');
    return { email, archive, recipients: email ? recipients : [] };
  }

  async function locked<T>(work: (lock: Pick<Lease, 'lost'>) => Promise<T>): Promise<T> {
    const result = await deps.store.withLock(async (lease) => ({ value: await work(lease) }));
    if (result === null) throw new UnavailableError('Another schedule change is in progress; try again shortly');
    return result.value;
  }

  /** Writes the array back: other configs untouched, ours replaced by `replace` (or dropped when it returns null). */
  async function writeConfigs(current: InstanceReportConfig[], id: string, replacement: ReportConfig | null, lock: Pick<Lease, 'lost'>): Promise<Instance> {
    // PATCH replaces the whole array: write only while holding the lock, and only over the array read.
    if (lock.lost) throw new UnavailableError('The lock on schedule changes was lost (Redis was away too long); nothing was written; try again');
    if (JSON.stringify(await configsNow()) !== JSON.stringify(current)) {
      throw new ConflictError("The instance's report configs changed while this change was being made; nothing was written; try again");
    }
    // The instance's other configs go back exactly as read, fields this version does not know
    // included; only the one this service makes is held to this version's rules.
    const others = current.filter((config) => !isOurs(config, id));
    const next = replacement ? [...others, strictConfig(replacement)] : others;
    if (next.length > MAX_CONFIGS) throw new ConflictError(`The instance already has ${others.length} report configs; Losant allows at most ${MAX_CONFIGS}`);
    return deps.losant.patch({ reportConfigs: next });
  }

  /** A config this service made that breaks Losant's rules is a bug here, not a caller's mistake. */
  function strictConfig(config: ReportConfig): ReportConfig {
    const checked = reportConfigSchema.safeParse(config);
    if (!checked.success) throw new InternalError(`A schedule's report config breaks Losant's rules: ${formatIssues(checked.error.issues)}`);
    return checked.data;
  }

  async function configsNow(): Promise<InstanceReportConfig[]> {
    return (await deps.losant.get()).reportConfigs ?? [];
  }

  function parse<T>(
    schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } },
    body: unknown,
  ): T {
    const result = schema.safeParse(body ?? {});
    if (!result.success) throw new ValidationError(`Invalid schedule: ${formatIssues(result.error.issues)}`, result.error.issues);
    return result.data;
  }

  async function mustLoad(id: string) {
    const stored = SCHEDULE_ID_PATTERN.test(id) ? await deps.store.load(id) : null;
    if (!stored) throw new NotFoundError(`No schedule ${id.slice(0, 40)}`);
    return stored;
  }

  function view(schedule: Schedule, configs: InstanceReportConfig[]): ScheduleWithConfig {
    return { ...schedule, losantConfig: configs.find((entry) => isOurs(entry, schedule.id)) ?? null };
  }

  return {
    /**
     * The schedules, and the instance's report configs report-relay does not manage (`unmanaged`,
     * as Losant gave them: a callback URL there may carry someone else's secret, so never show it whole).
     */
    async list(): Promise<{ items: ScheduleWithConfig[]; unmanagedConfigs: number; unmanaged: InstanceReportConfig[] }> {
      const [schedules, configs] = await Promise.all([deps.store.list(), configsNow()]);
      const ours = new Set(schedules.map((schedule) => schedule.id));
      const unmanaged = configs.filter((config) => ![...ours].some((id) => isOurs(config, id)));
      return { items: schedules.map((schedule) => view(schedule, configs)), unmanagedConfigs: unmanaged.length, unmanaged };
    },

    async get(id: string): Promise<ScheduleWithConfig> {
      const stored = await mustLoad(id);
      return view(stored.schedule, await configsNow());
    },

    async create(body: unknown): Promise<ScheduleWithConfig> {
      const input = parse(createScheduleSchema, body);
      const at = now().toISOString();
      const id = generateId('s');
      const secret = generateSecret();
      const schedule: Schedule = {
        id,
        name:
          input.name ?? `${input.dateGroupBy === 'day' ? 'daily' : `${input.dateGroupBy}ly`} ${input.resourceGroupBy} report (${input.cron} ${input.timezone})`,
        cron: input.cron,
        timezone: input.timezone,
        resourceGroupBy: input.resourceGroupBy,
        dateGroupBy: input.dateGroupBy,
        periods: input.periods,
        includeSandbox: input.includeSandbox,
        delivery: delivery(input),
        losantConfigId: null,
        createdAt: at,
        updatedAt: at,
        previousSecretValidUntil: null,
      };
      return locked(async (lock) => {
        const current = await configsNow();
        // Stored before Losant knows it, so a first callback can never meet an unknown schedule.
        await deps.store.save({ schedule, secretHash: hashSecret(secret), previousSecretHash: null });
        try {
          const instance = await writeConfigs(current, id, toConfig(schedule, secret, null), lock);
          const written = (instance.reportConfigs ?? []).find((config) => isOurs(config, id));
          schedule.losantConfigId = written?.id ?? null;
          await deps.store.save({ schedule, secretHash: hashSecret(secret), previousSecretHash: null });
          deps.logger.info({ scheduleId: id, losantConfigId: schedule.losantConfigId }, 'schedule created');
          return view(schedule, instance.reportConfigs ?? []);
        } catch (error) {
          if (mayHaveBeenWritten(error)) {
            // Losant may hold the config (and so call its URL) although no answer said so: the
            // schedule stays, so that URL keeps working; the view shows whether Losant has it.
            deps.logger.warn({ scheduleId: id, err: error }, 'schedule creation unconfirmed by Losant; kept');
            throw new UnavailableError(
              `Losant did not confirm the new schedule (${errorMessage(error)}); it is kept as ${id}: GET /admin/schedules/${id} shows whether Losant holds it, PUT writes it again, DELETE removes it`,
              { cause: error },
            );
          }
          await deps.store.remove(id);
          throw error;
        }
      });
    },

    async update(id: string, body: unknown): Promise<ScheduleWithConfig> {
      const input = parse(updateScheduleSchema, body);
      return locked(async (lock) => {
        const stored = await mustLoad(id);
        const merged: Schedule = {
          ...stored.schedule,
          ...Object.fromEntries(Object.entries(input).filter(([key, value]) => value !== undefined && !['recipients', 'email', 'archive'].includes(key))),
          delivery: delivery(input, stored.schedule.delivery),
          updatedAt: now().toISOString(),
        };
        // cron and timezone are checked together: a new zone must suit the old cron and vice versa.
        parse(createScheduleSchema, { cron: merged.cron, timezone: merged.timezone });
        const current = await configsNow();
        // The callback URL (and so the secret) stays as Losant holds it; only a missing config gets a new one.
        const existingUrl = current.find((config) => isOurs(config, id))?.callbackUrl;
        const secret = existingUrl ? null : generateSecret();
        const config = { ...toConfig(merged, secret ?? '', stored.schedule.losantConfigId), ...(existingUrl ? { callbackUrl: existingUrl } : {}) };
        const instance = await writeConfigs(current, id, config, lock);
        merged.losantConfigId = (instance.reportConfigs ?? []).find((entry) => isOurs(entry, id))?.id ?? merged.losantConfigId;
        await deps.store.save({ ...stored, schedule: merged, ...(secret ? { secretHash: hashSecret(secret), previousSecretHash: null } : {}) });
        return view(merged, instance.reportConfigs ?? []);
      });
    },

    async remove(id: string): Promise<void> {
      await locked(async (lock) => {
        await mustLoad(id);
        await writeConfigs(await configsNow(), id, null, lock);
        await deps.store.remove(id);
        deps.logger.info({ scheduleId: id }, 'schedule deleted');
      });
    },

    async rotateSecret(id: string, body: unknown): Promise<ScheduleWithConfig> {
      const { graceSeconds } = parse(rotateSecretSchema, body);
      return locked(async (lock) => {
        const stored = await mustLoad(id);
        const secret = generateSecret();
        const instance = await writeConfigs(await configsNow(), id, toConfig(stored.schedule, secret, stored.schedule.losantConfigId), lock);
        const schedule = {
          ...stored.schedule,
          updatedAt: now().toISOString(),
          previousSecretValidUntil: new Date(now().getTime() + graceSeconds * 1000).toISOString(),
        };
        await deps.store.save({ schedule, secretHash: hashSecret(secret), previousSecretHash: stored.secretHash });
        deps.logger.info({ scheduleId: id, graceSeconds }, 'schedule secret rotated');
        return view(schedule, instance.reportConfigs ?? []);
      });
    },
  };
}
export type ScheduleService = ReturnType<typeof createScheduleService>;
