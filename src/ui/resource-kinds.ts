import type { ResourceKind } from '../usage/resource-history.js';

/** How the dashboard names and links each kind of resource the usage read model knows. */
export interface KindWords {
  kind: ResourceKind;
  /** The path segment under /ui: /ui/organizations, /ui/organizations/<id>. */
  segment: string;
  one: string;
  many: string;
}

export const KINDS: Readonly<Record<ResourceKind, KindWords>> = {
  organization: { kind: 'organization', segment: 'organizations', one: 'Organization', many: 'Organizations' },
  application: { kind: 'application', segment: 'applications', one: 'Application', many: 'Applications' },
};

export const resourceListHref = (kind: ResourceKind) => `/ui/${KINDS[kind].segment}`;
export const resourceHref = (kind: ResourceKind, id: string) => `/ui/${KINDS[kind].segment}/${encodeURIComponent(id)}`;
