/**
 * Every Redis key the report store uses, in one place. All keys share one prefix so that
 * tests (and several deployments on one Redis) never see each other's data.
 */
export function reportKeys(prefix: string) {
  return {
    record: (id: string) => `${prefix}:report:${id}`,
    history: (id: string) => `${prefix}:report:${id}:history`,
    callbackBody: (id: string) => `${prefix}:report:${id}:callback-body`,
    byCreated: `${prefix}:reports:by-created`,
    byStatus: `${prefix}:reports:status`,
    awaiting: `${prefix}:reports:awaiting`,
    series: (seriesKey: string) => `${prefix}:series:${seriesKey}`,
    scheduleDelivery: (scheduleId: string, fingerprint: string) => `${prefix}:schedule-delivery:${scheduleId}:${fingerprint}`,
  };
}
export type ReportKeys = ReturnType<typeof reportKeys>;
