/** Users per write of a direct run, and per comparison with observed state, whatever the page size. */
export const USER_BATCH = 1000;
/** Groups per write: a group carries its member list. */
export const GROUP_BATCH = 50;
/** Staged ids or users per apply step. */
export const APPLY_BATCH = 1000;
