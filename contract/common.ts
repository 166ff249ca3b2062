export type Role = 'agent' | 'supervisor' | 'admin';

export type PresenceState = 'offline' | 'available' | 'break';

export type Presence = { state: PresenceState; breakName: string | null; since: string };

export type Me = {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  presence: Presence;
  breaks: string[];
};

export type ApiError = { error: { code: string; message: string; details?: unknown } };

/** One field the server refused (`settings.accountSid`, `secrets.authToken`, `name`…). */
export type FieldIssue = { path: string; message: string };

/** One problem of an uploaded file: its line (1-based) and column (1-based; null for the whole line or file). */
export type FileIssue = { line: number | null; column: number | null; message: string };
