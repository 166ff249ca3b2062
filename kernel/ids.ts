import { z } from 'zod';

/** The largest value of a PostgreSQL `integer` column (the ids of campaigns, users, channels, dialers…). */
export const INT4_MAX = 2_147_483_647;

/** A decimal written as digits only: ` 1`, `1e3`, `0x1`, `01` and `1.0` are not ids, whatever Number() makes of them. */
const DIGITS = /^[1-9][0-9]{0,15}$/;

function idWithin(max: number, field?: string) {
  const message = `${field ? `${field} ` : ''}must be a positive whole number`;
  return z.union([z.number({ error: message }), z.string({ error: message }).regex(DIGITS, message).transform(Number)], { error: message }).pipe(
    z
      .number()
      .int(message)
      .positive(message)
      .max(max, `${field ? `${field}: ` : ''}no such id (out of range)`),
  );
}

/**
 * The one schema of an id: a path parameter, a query field or a body field, as a JSON number or a
 * string of digits, positive and within the column's range, so a request can never reach the
 * database with an id it cannot hold (2147483648 in an `integer` column is a 400, not a 500).
 */
export const id = idWithin(INT4_MAX);

/** The same id, its messages naming the field (`campaignId must be a positive whole number`), for APIs whose messages do. */
export const namedId = (field: string) => idWithin(INT4_MAX, field);

/** An id of a `bigint` column (conversations, messages, spool rows, DNCR entries), within JavaScript's exact integers. */
export const bigId = idWithin(Number.MAX_SAFE_INTEGER);

/** `{ id }` path parameters of a route on an `integer`-keyed table. */
export const idParams = z.object({ id });

/** `{ id }` path parameters of a route on a `bigint`-keyed table. */
export const bigIdParams = z.object({ id: bigId });
