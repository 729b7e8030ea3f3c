/**
 * Who is asking: the system (IDSYNC_ADMIN_TOKEN, all rights) or a person acting under the role
 * matrix. The HTTP surfaces authenticate a principal; admin operations act for one.
 */
export type Principal = { kind: 'system' } | { kind: 'person'; personId: string; email: string };
