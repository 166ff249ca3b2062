export * from './users.ts';
export * from './channels.ts';
export * from './contacts.ts';
export * from './campaigns.ts';
export * from './conversations.ts';
export * from './dialer.ts';
export * from './presence.ts';
export * from './audit.ts';
