/**
 * Runtime validation of request fields, shared by the gateway and the services so that a request
 * over HTTP and the same request over NATS fail with the same sentence naming the same field.
 */
import { InvalidRequestError } from '@roomkey/errors';
import { ROLES, Role, isRole } from './roles';

export type Body = Record<string, unknown>;

export const ROOM_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const TENANT_SHORTCODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Stands in for a NATS request body that was not valid JSON, so validation can say so. */
export class MalformedJsonBody {
  readonly malformed = true;
  /** What is wrong, after "Request body " (e.g. nested too deep, refused before parsing). */
  constructor(readonly problem = 'is not valid JSON') {}
}

/** The body must be a plain JSON object; anything else is named plainly. */
export function requireObject(value: unknown, what = 'Request body'): Body {
  if (value instanceof MalformedJsonBody) throw new InvalidRequestError(`${what} ${value.problem}`);
  const prototype = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new InvalidRequestError(`${what} must be a JSON object`);
  }
  return value as Body;
}

/** Rejects fields the endpoint does not know, so typos (`room` for `rooms`) do not pass silently. */
export function rejectUnknownFields(body: Body, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new InvalidRequestError(`Unknown field '${key}'; allowed fields are ${allowed.join(', ')}`, key);
    }
  }
}

function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

export interface TextRule {
  min?: number;
  max: number;
  pattern?: RegExp;
  patternHint?: string;
}

/** A string of `min`–`max` Unicode code points with no control characters. */
export function readText(body: Body, field: string, rule: TextRule & { optional: true }): string | undefined;
export function readText(body: Body, field: string, rule: TextRule & { optional?: false }): string;
export function readText(body: Body, field: string, rule: TextRule & { optional?: boolean }): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (rule.optional) return undefined;
    throw new InvalidRequestError(`Field '${field}' is required`, field);
  }
  if (typeof value !== 'string') throw new InvalidRequestError(`Field '${field}' must be a string`, field);
  const min = rule.min ?? 1;
  const length = codePointLength(value);
  if (length < min || length > rule.max) {
    throw new InvalidRequestError(`Field '${field}' must be ${min}–${rule.max} characters long`, field);
  }
  if (!value.isWellFormed() || CONTROL_CHARACTER.test(value)) {
    throw new InvalidRequestError(`Field '${field}' must not contain control characters`, field);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw new InvalidRequestError(`Field '${field}' ${rule.patternHint ?? 'has an invalid format'}`, field);
  }
  return value;
}

export const ANONYMOUS_SUBJECT = '!anon';

/** Partner user ids: 1–255 code points, no control characters; `!anon` is reserved. */
export function readUserId(body: Body, field = 'userId'): string {
  const userId = readText(body, field, { max: 255 });
  if (userId === ANONYMOUS_SUBJECT) {
    throw new InvalidRequestError(`Field '${field}' may not be '${ANONYMOUS_SUBJECT}', which marks anonymous tokens`, field);
  }
  return userId;
}

/** Optional display data (`name`, `image`): at most 255 code points. */
export function readDisplayText(body: Body, field: string): string | undefined {
  return readText(body, field, { max: 255, optional: true });
}

export function readRole(body: Body, field = 'role'): Role {
  const value = body[field];
  if (value === undefined || value === null) throw new InvalidRequestError(`Field '${field}' is required`, field);
  if (!isRole(value)) {
    throw new InvalidRequestError(`Field '${field}' must be one of ${ROLES.join(', ')}`, field);
  }
  return value;
}

export interface RoomsRule {
  required: boolean;
  max: number;
}

/** A list of 1–`max` room ids; duplicates are folded. `undefined` when optional and absent. */
export function readRooms(body: Body, field: string, rule: RoomsRule): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (rule.required) throw new InvalidRequestError(`Field '${field}' is required: name 1–${rule.max} rooms`, field);
    return undefined;
  }
  if (!Array.isArray(value)) throw new InvalidRequestError(`Field '${field}' must be an array of room ids`, field);
  if (value.length < 1 || value.length > rule.max) {
    throw new InvalidRequestError(`Field '${field}' must name 1–${rule.max} rooms`, field);
  }
  for (const room of value) {
    if (typeof room !== 'string' || !ROOM_ID_PATTERN.test(room)) {
      throw new InvalidRequestError(
        `Field '${field}' must hold room ids of 1–128 characters from A–Z, a–z, 0–9 and . _ : -`,
        field,
      );
    }
  }
  return [...new Set(value as string[])];
}

/** A whole number of seconds in [1, max], or undefined when absent. */
export function readSeconds(body: Body, field: string, max: number, maxHint?: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidRequestError(`Field '${field}' must be a whole number of seconds`, field);
  }
  if (value < 1 || value > max) {
    throw new InvalidRequestError(`Field '${field}' must be from 1 to ${max}${maxHint ? ` ${maxHint}` : ''}`, field);
  }
  return value;
}

export function readEnum<T extends string>(body: Body, field: string, allowed: readonly T[], fallback?: T): T {
  const value = body[field];
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (value === undefined || value === null) throw new InvalidRequestError(`Field '${field}' is required`, field);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidRequestError(`Field '${field}' must be one of ${allowed.join(', ')}`, field);
  }
  return value as T;
}

/** An absolute http(s) URL, for fields such as a tenant's `loginUrl`. */
export function readUrl(body: Body, field: string): string | undefined {
  const value = readText(body, field, { max: 2048, optional: true });
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidRequestError(`Field '${field}' must be an absolute http(s) URL`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidRequestError(`Field '${field}' must be an absolute http(s) URL`, field);
  }
  return value;
}

export function readShortcode(value: unknown, field = 'shortcode'): string {
  if (typeof value !== 'string' || !TENANT_SHORTCODE_PATTERN.test(value)) {
    throw new InvalidRequestError(
      `Field '${field}' must be 2–63 characters of a–z, 0–9 and '-', starting with a letter or digit`,
      field,
    );
  }
  return value;
}

