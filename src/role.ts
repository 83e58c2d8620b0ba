/** `web` serves HTTP, `worker` runs report jobs and maintenance, `all` does both (one machine). */
export type Role = 'web' | 'worker' | 'all';

/** The two halves of the service; a role runs one of them or both. */
export type Side = 'web' | 'worker';

/** Which sides each role runs. */
export const SIDES_OF_ROLE: Readonly<Record<Role, readonly Side[]>> = {
  web: ['web'],
  worker: ['worker'],
  all: ['web', 'worker'],
};
