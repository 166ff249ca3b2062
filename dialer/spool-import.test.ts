import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../db/connection.ts';
import { spool, spoolCounts, spoolImports } from '../db/schema/index.ts';
import { buildCampaign, buildDialer, buildSimulatorChannel } from '../test/harness/factories.ts';
import { createTestDatabase } from '../test/harness/test-database.ts';
import { campaignsByName } from './csv-campaigns.ts';
import { FORBIDDEN_CHARACTERS, isForbiddenCharacter, MAY_BE_FORBIDDEN } from './csv-forbidden-characters.ts';
import { MAX_FILE_ISSUES } from './csv-issues.ts';
import { importSpool, type ImportProgressFigures, type SpoolImportResult } from './spool-import.ts';

let database: Database;
let drop: () => Promise<void>;
let campaigns: Map<string, number>;
let test1: number;
let campsms: number;
let channelId: number;

beforeAll(async () => {
  const created = await createTestDatabase();
  drop = created.drop;
  database = connectDatabase(created.url, { max: 3 });
  const channel = await buildSimulatorChannel(database.db);
  channelId = channel.id;
  test1 = (await buildCampaign(database.db, { name: 'test1' })).id;
  campsms = (await buildCampaign(database.db, { name: 'campsms' })).id;
  campaigns = await campaignsByName(database.db);
});
afterAll(async () => {
  await database.close();
  await drop();
});

const newDialer = async () => (await buildDialer(database.db, channelId)).id;

async function upload(
  dialerId: number,
  content: string | Buffer | (string | Buffer)[],
  options: { fileName?: string; onProgress?: (p: ImportProgressFigures) => void } = {},
) {
  const chunks = Array.isArray(content) ? content : [content];
  return importSpool(database, {
    dialerId,
    fileName: options.fileName ?? 'DISCTEST29042014.csv',
    source: (async function* () {
      yield* chunks;
    })(),
    campaigns,
    userId: null,
    onProgress: options.onProgress,
  });
}

const rowsOf = (dialerId: number) => database.db.select().from(spool).where(eq(spool.dialerId, dialerId)).orderBy(asc(spool.id));

function issuesOf(result: SpoolImportResult) {
  if (result.ok) throw new Error(`expected a rejection, the file was imported: ${JSON.stringify(result.import)}`);
  return result.issues;
}

/** A rejected file left nothing behind: no rows, no counters, no import. */
async function expectNothingImported(dialerId: number) {
  expect(await rowsOf(dialerId)).toEqual([]);
  expect(await database.db.select().from(spoolCounts).where(eq(spoolCounts.dialerId, dialerId))).toEqual([]);
  expect(await database.db.select().from(spoolImports).where(eq(spoolImports.dialerId, dialerId))).toEqual([]);
}

/** The issues of a one-rule file: exactly this line and column, and nothing imported. */
async function expectRejected(content: string, expected: { line: number | null; column: number | null; message: RegExp }[]) {
  const dialerId = await newDialer();
  const issues = issuesOf(await upload(dialerId, content));
  expect(issues).toEqual(expected.map((issue) => ({ line: issue.line, column: issue.column, message: expect.stringMatching(issue.message) })));
  await expectNothingImported(dialerId);
}

describe('the seed examples', () => {
  it('accepts the base line of the dialer section as written', async () => {
    const dialerId = await newDialer();
    const result = await upload(dialerId, 'test1;098344484;This is my SMS;9999');
    expect(result).toMatchObject({ ok: true, import: { rows: 1, bytes: 35, campaigns: { test1: 1 }, fileName: 'DISCTEST29042014.csv' } });
    const [row] = await rowsOf(dialerId);
    expect(row).toMatchObject({
      campaignId: test1,
      destination: '098344484',
      message: 'This is my SMS',
      priority: 9999,
      state: 1,
      device: null,
      idm: null,
      data: null,
      importId: result.ok ? result.import.id : -1,
    });
  });

  it('accepts the three lines of "Sending mass messages", trailing ; included, and counts them', async () => {
    const dialerId = await newDialer();
    const file = 'campsms;098344384;Hey World!;9999;\ncampsms;098356484;Hey World!;9999;\ncampsms;098378984;Hey World!;9999;\n';
    const result = await upload(dialerId, file);
    expect(result).toMatchObject({ ok: true, import: { rows: 3, bytes: Buffer.byteLength(file), campaigns: { campsms: 3 } } });
    const rows = await rowsOf(dialerId);
    expect(rows.map((row) => [row.destination, row.message, row.priority])).toEqual([
      ['098344384', 'Hey World!', 9999],
      ['098356484', 'Hey World!', 9999],
      ['098378984', 'Hey World!', 9999],
    ]);
    const [imported] = await database.db.select().from(spoolImports).where(eq(spoolImports.dialerId, dialerId));
    expect(imported).toMatchObject({ rowCount: 3, byteCount: Buffer.byteLength(file), status: 'imported', finishedAt: expect.any(Date) });
    expect(await database.db.select().from(spoolCounts).where(eq(spoolCounts.dialerId, dialerId))).toEqual([
      { dialerId, campaignId: campsms, state: 1, count: 3 },
    ]);
  });

  it('skips a header line in the seed spelling or the right one, any case', async () => {
    for (const header of ['campign;destiny;menssage;priority', 'CAMPAIGN;Destiny;Message;Priority;', 'campaign;destiny;message;device;idm;data']) {
      const dialerId = await newDialer();
      expect(await upload(dialerId, `${header}\ntest1;098344484;Hi;1\n`)).toMatchObject({ ok: true, import: { rows: 1 } });
    }
  });
});

describe('reading the file', () => {
  it('takes CRLF lines, a UTF-8 BOM, accents, and lines split anywhere across chunks', async () => {
    const file = Buffer.from('\uFEFFtest1;098344484;Canción ñandú ¿sí? ¡€5!;10\r\ncampsms;098356484;Second;20\r\n\r\n');
    const dialerId = await newDialer();
    const pieces: Buffer[] = [];
    for (let at = 0; at < file.length; at += 3) pieces.push(file.subarray(at, at + 3)); // splits the BOM and multi-byte characters
    expect(await upload(dialerId, pieces)).toMatchObject({ ok: true, import: { rows: 2, bytes: file.length } });
    expect((await rowsOf(dialerId)).map((row) => [row.campaignId, row.destination, row.message, row.priority])).toEqual([
      [test1, '098344484', 'Canción ñandú ¿sí? ¡€5!', 10],
      [campsms, '098356484', 'Second', 20],
    ]);
  });

  it('never creates rows from blank lines at the end, whitespace-only ones included', async () => {
    const dialerId = await newDialer();
    expect(await upload(dialerId, 'test1;098344484;Hi;1\n\n   \n\t\n\n')).toMatchObject({ ok: true, import: { rows: 1 } });
    expect(await rowsOf(dialerId)).toHaveLength(1);
  });

  it('stores the 6-column variant (device, idm, data; priority 0), with or without the trailing ;', async () => {
    const dialerId = await newDialer();
    const result = await upload(dialerId, 'test1;098344484;This is my SMS;Dinstar;autonumerico;extra data\ntest1;098344485;Other;dongle0;;x;\n');
    expect(result).toMatchObject({ ok: true, import: { rows: 2 } });
    expect((await rowsOf(dialerId)).map((row) => [row.destination, row.message, row.priority, row.device, row.idm, row.data])).toEqual([
      ['098344484', 'This is my SMS', 0, 'Dinstar', 'autonumerico', 'extra data'],
      ['098344485', 'Other', 0, 'dongle0', null, 'x'],
    ]);
  });

  it('imports invalid phone numbers as given (the dialer marks them OTHER) and keeps backslashes', async () => {
    const dialerId = await newDialer();
    expect(await upload(dialerId, 'test1;not a number;C:\\path\\n is not a newline;5\ntest1; 12 ;x;6\n')).toMatchObject({ ok: true });
    expect((await rowsOf(dialerId)).map((row) => [row.destination, row.message])).toEqual([
      ['not a number', 'C:\\path\\n is not a newline'],
      [' 12 ', 'x'],
    ]);
  });

  it('accepts priorities 0 to 999999, with spaces around', async () => {
    const dialerId = await newDialer();
    expect(await upload(dialerId, 'test1;1;a;0\ntest1;2;b;999999\ntest1;3;c; 42 \ntest1;4;d;000007\n')).toMatchObject({ ok: true });
    expect((await rowsOf(dialerId)).map((row) => row.priority)).toEqual([0, 999999, 42, 7]);
  });

  it('reports progress while it reads and once at the end', async () => {
    const dialerId = await newDialer();
    const seen: ImportProgressFigures[] = [];
    const lines = Array.from({ length: 2000 }, (_, index) => `test1;0983${index};Message ${index};1\n`).join('');
    const result = await upload(dialerId, [lines.slice(0, 1000), lines.slice(1000)], { onProgress: (progress) => seen.push(progress) });
    expect(result).toMatchObject({ ok: true, import: { rows: 2000 } });
    expect(seen.at(-1)).toEqual({ bytes: Buffer.byteLength(lines), rows: 2000, done: true });
    expect(seen.filter((progress) => progress.done)).toHaveLength(1);
  });
});

describe('the seed rules: each rejects the whole file with its line and column', () => {
  it('a campaign that does not exist (column 1), exact names only', async () => {
    await expectRejected('test1;1;a;1\nnope;098344484;Hi;1\nTEST1;2;b;1\n;3;c;1\n', [
      { line: 2, column: 1, message: /campaign "nope" does not exist/i },
      { line: 3, column: 1, message: /campaign "TEST1" does not exist/i },
      { line: 4, column: 1, message: /campaign is empty/i },
    ]);
  });

  it('fewer than four columns, at the first one missing', async () => {
    await expectRejected('test1;1;a;1\ntest1;098344484;Hi\ntest1;098344484\ntest1\ntest1;098344484;Hi;\n', [
      { line: 2, column: 4, message: /at least the first four columns must exist.*priority is missing/i },
      { line: 3, column: 3, message: /message is missing/ },
      { line: 4, column: 2, message: /destiny is missing/ },
      { line: 5, column: 4, message: /priority is missing/ },
    ]);
  });

  it('5 or 7+ columns, explaining the two forms', async () => {
    await expectRejected('test1;1;a;1;extra\ntest1;1;a;d;i;x;7th\ntest1;1;a;1;;\n', [
      { line: 1, column: 5, message: /4 columns \(campaign;destiny;message;priority\) or 6 \(campaign;destiny;message;device;idm;data\).*has 5/ },
      { line: 2, column: 7, message: /has 7/ },
      { line: 3, column: 5, message: /has 5/ },
    ]);
  });

  it('an empty destiny or message (blank counts as empty)', async () => {
    await expectRejected('test1;;Hi;1\ntest1;  ;Hi;1\ntest1;098344484;;1\ntest1;098344484;   ;1\n', [
      { line: 1, column: 2, message: /destiny.*empty/ },
      { line: 2, column: 2, message: /destiny.*empty/ },
      { line: 3, column: 3, message: /message is empty/ },
      { line: 4, column: 3, message: /message is empty/ },
    ]);
  });

  it('a priority that is not a whole number from 0 to 999999', async () => {
    await expectRejected('test1;1;a;1000000\ntest1;1;a;-1\ntest1;1;a;abc\ntest1;1;a;1.5\ntest1;1;a; \n', [
      { line: 1, column: 4, message: /priority "1000000" must be a whole number from 0 to 999999/ },
      { line: 2, column: 4, message: /"-1"/ },
      { line: 3, column: 4, message: /"abc"/ },
      { line: 4, column: 4, message: /"1.5"/ },
      { line: 5, column: 4, message: /" "/ },
    ]);
  });

  it('a blank line in the middle: an empty record', async () => {
    await expectRejected('test1;1;a;1\n\ntest1;2;b;1\n  \t\ntest1;3;c;1\n\n', [
      { line: 2, column: null, message: /empty record/i },
      { line: 4, column: null, message: /empty record/i },
    ]);
  });

  it('each forbidden character of the variable fields, naming the column and the character', async () => {
    const characters = [...FORBIDDEN_CHARACTERS];
    const file = characters.map((char) => `test1;098344484;Hi ${char} there;1`).join('\n');
    await expectRejected(
      file,
      characters.map((char, index) => ({ line: index + 1, column: 3, message: new RegExp(`not allowed: ${char === '`' ? '` \\(backtick\\)' : char}$`) })),
    );
  });

  it('control characters and the device, idm and data columns of the variant', async () => {
    await expectRejected('test1;1;tab\there;1\ntest1;1;ok;dev@ice;id´m;“data”\ntest1;09\u00078;ok;1\ntest1;1;a\u2028b;1\n', [
      { line: 1, column: 3, message: /message holds characters that are not allowed: tab \(U\+0009\)/ },
      { line: 2, column: 4, message: /device .*: @$/ },
      { line: 2, column: 5, message: /idm .*: ´$/ },
      { line: 2, column: 6, message: /data .*: “, ”$/ },
      { line: 3, column: 2, message: /destiny holds control character U\+0007/ },
      { line: 4, column: 3, message: /U\+2028/ },
    ]);
  });

  it('a line that is not UTF-8', async () => {
    const dialerId = await newDialer();
    const file = Buffer.concat([Buffer.from('test1;1;a;1\ntest1;1;'), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from(';1\ntest1;1;b;1\n')]);
    expect(issuesOf(await upload(dialerId, file))).toEqual([{ line: 2, column: null, message: expect.stringMatching(/not UTF-8/) }]);
    await expectNothingImported(dialerId);
  });

  it('a file without records', async () => {
    await expectRejected('\n\n', [{ line: null, column: null, message: /no records/ }]);
    await expectRejected('campaign;destiny;message;priority\n', [{ line: null, column: null, message: /no records/ }]);
  });

  it('a bad file name, with the content checked too', async () => {
    const dialerId = await newDialer();
    const issues = issuesOf(await upload(dialerId, 'nope;1;a;1\n', { fileName: 'my file.txt' }));
    expect(issues).toEqual([
      { line: null, column: null, message: expect.stringMatching(/spaces/) },
      { line: null, column: null, message: expect.stringMatching(/must end in \.csv/) },
      { line: 1, column: 1, message: expect.stringMatching(/does not exist/) },
    ]);
    await expectNothingImported(dialerId);
  });
});

describe('all or nothing', () => {
  it('reports every issue of a file in one answer, the rows before and after them imported nowhere', async () => {
    const good = (index: number) => `test1;0983${index};Message ${index};1`;
    const lines = [
      ...Array.from({ length: 3000 }, (_, index) => good(index)),
      'nope;1;x;1',
      'test1;1;x',
      ...Array.from({ length: 3000 }, (_, index) => good(index)),
      'test1;1;@;1',
    ];
    const dialerId = await newDialer();
    const issues = issuesOf(await upload(dialerId, lines.join('\n')));
    expect(issues.map((issue) => [issue.line, issue.column])).toEqual([
      [3001, 1],
      [3002, 4],
      [6003, 3],
    ]);
    await expectNothingImported(dialerId);
  });

  it('caps the issues listed, counting the rest', async () => {
    const dialerId = await newDialer();
    const issues = issuesOf(await upload(dialerId, Array.from({ length: MAX_FILE_ISSUES + 500 }, () => 'nope;1;a;1').join('\n')));
    expect(issues).toHaveLength(MAX_FILE_ISSUES + 1);
    expect(issues.at(-1)).toEqual({ line: null, column: null, message: '…and 500 more issues not listed' });
  });

  it('rolls back when the upload breaks off, and the connection works on', async () => {
    const dialerId = await newDialer();
    const source = (async function* () {
      yield Buffer.from(Array.from({ length: 5000 }, (_, index) => `test1;${index};m;1\n`).join(''));
      throw new Error('upload cut');
    })();
    await expect(importSpool(database, { dialerId, fileName: 'a.csv', source, campaigns, userId: null })).rejects.toThrow('upload cut');
    await expectNothingImported(dialerId);
    // Every connection of the pool still answers (none was left inside the COPY).
    await Promise.all([1, 2, 3].map(() => database.sql`select pg_sleep(0.05)`));
    expect(await upload(dialerId, 'test1;1;a;1')).toMatchObject({ ok: true });
  });

  it('keeps the counters of earlier imports when a file is rejected', async () => {
    const dialerId = await newDialer();
    expect(await upload(dialerId, 'test1;1;a;1\ntest1;2;b;1\n')).toMatchObject({ ok: true });
    expect(issuesOf(await upload(dialerId, 'test1;1;a;1\nnope;2;b;1\n'))).toHaveLength(1);
    expect(await rowsOf(dialerId)).toHaveLength(2);
    expect(
      await database.db
        .select()
        .from(spoolCounts)
        .where(and(eq(spoolCounts.dialerId, dialerId), eq(spoolCounts.state, 1))),
    ).toEqual([{ dialerId, campaignId: test1, state: 1, count: 2 }]);
  });
});

describe('the forbidden characters', () => {
  it('every one of them starts with a byte the fast scan flags', () => {
    for (let codePoint = 0; codePoint < 0x3000; codePoint++) {
      if (!isForbiddenCharacter(codePoint)) continue;
      expect(MAY_BE_FORBIDDEN[Buffer.from(String.fromCodePoint(codePoint))[0]!], `U+${codePoint.toString(16)}`).toBe(1);
    }
  });
});
