import type { UserRole } from '../db/schema/index.ts';

/** The authenticated user a request, a socket or a command acts as (resolved from a session by the API edge). */
export type Actor = { userId: number; username: string; displayName: string; role: UserRole; securityGroupIds: number[]; tokenHash: string };
