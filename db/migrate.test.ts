import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connectDatabase } from './connection.ts';
import { ensureDatabase } from './ensure-database.ts';
import { applyMigrations } from './migrate.ts';

describe('migrations', () => {
  it('apply once when several processes start at the same moment on an empty database', async () => {
    const name = `${inject('databasePrefix')}migrate`;
    const url = await ensureDatabase(inject('pgServerUrl'), name);
    const processes = Array.from({ length: 3 }, () => connectDatabase(url, { max: 2 }));
    try {
      await Promise.all(processes.map((process) => applyMigrations(process.sql)));
      await applyMigrations(processes[0]!.sql); // and again on a restart: nothing to do
      const [{ n }] = (await processes[0]!.sql`select count(*)::int as n from drizzle.__drizzle_migrations`) as unknown as [{ n: number }];
      expect(n).toBeGreaterThan(0);
      const tables = await processes[0]!.sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
      expect(tables.map((row) => row.table_name)).toEqual(expect.arrayContaining(['conversations', 'messages', 'spool', 'dncr', 'audit_log']));
    } finally {
      await Promise.all(processes.map((process) => process.close()));
      const admin = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});
