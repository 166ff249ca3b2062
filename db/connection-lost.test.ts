import type { ErrorRequestHandler, Request, Response } from 'express';
import { sql as raw } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import pino from 'pino';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { errorHandler } from '../api/http-errors.ts';
import { isConnectionLost } from './connection-lost.ts';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('it should have failed'),
    (error: unknown) => error,
  );

/** The error handler's answer to `error`: status, headers and body, and whether it logged. */
function render(error: unknown) {
  const logged: unknown[] = [];
  const answer = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    status(code: number) {
      answer.status = code;
      return this;
    },
    set(name: string, value: string) {
      answer.headers[name] = value;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
      return this;
    },
  } as unknown as Response;
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
  (errorHandler(logger) as ErrorRequestHandler)(error, { method: 'POST', path: '/webhooks/1' } as Request, response, () => {});
  return { ...answer, logged: logged.length };
}

describe('a lost database connection', () => {
  it('is told apart from a refused statement, through the wrappers it comes in', async () => {
    const unreachable = postgres('postgres://nobody@127.0.0.1:1/none', { max: 1, connect_timeout: 2, onnotice: () => {} });
    const refused = await failure(unreachable`select 1`);
    const wrapped = await failure(drizzle({ client: unreachable }).execute(raw`select 1`));
    await unreachable.end();
    const ended = await failure(unreachable`select 1`);

    const server = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
    const invalid = await failure(server`select 1/0`);
    await server.end();

    expect(isConnectionLost(refused)).toBe(true);
    expect(isConnectionLost(wrapped)).toBe(true); // drizzle's DrizzleQueryError, the cause inside
    expect(isConnectionLost(ended)).toBe(true);
    expect(isConnectionLost(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionLost(Object.assign(new Error('server closed the connection unexpectedly'), { code: '08006' }))).toBe(true);
    expect(isConnectionLost(invalid)).toBe(false);
    expect(isConnectionLost(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionLost(new Error('boom'))).toBe(false);
  });

  it('answers 503 with Retry-After, not a logged 500', async () => {
    const unreachable = postgres('postgres://nobody@127.0.0.1:1/none', { max: 1, connect_timeout: 2, onnotice: () => {} });
    const lost = await failure(drizzle({ client: unreachable }).transaction(async (tx) => tx.execute(raw`select 1`)));
    await unreachable.end();

    const answer = render(lost);
    expect(answer).toMatchObject({ status: 503, headers: { 'Retry-After': expect.stringMatching(/^\d+$/) }, logged: 0 });
    expect(answer.body).toMatchObject({ error: { code: 'unavailable' } });
    expect(render(new Error('a bug'))).toMatchObject({ status: 500, logged: 1 });
  });
});
