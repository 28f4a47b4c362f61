/**
 * Shared state (login requests, authorization codes, refresh tokens, invites, rate-limit windows)
 * as JSON values with a revision, updated by compare-and-set, so that any replica can serve any
 * step and two replicas racing on one value cannot both win. `modify` is the one read-decide-write
 * loop every caller uses; the JetStream KV adapter lives here, an in-memory one in @roomkey/testing.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { UnavailableError } from '@roomkey/errors';
import { randomInt } from 'node:crypto';

export interface Versioned<T> {
  value: T;
  revision: number;
}

/**
 * Decides the next value from the current one (undefined: no such key). Returns undefined to leave
 * the value as it is, or throws to refuse; it may run more than once (once per lost race), so it
 * should have no side effects beyond reading.
 */
export type Modification<T> = (current: T | undefined) => T | undefined | Promise<T | undefined>;

export interface ModifyOptions {
  /** Rounds before giving up with ContentionError (default 20). */
  attempts?: number;
  /** The ContentionError's message, for the caller's own wording. */
  contentionMessage?: string;
}

export interface Modified<T> {
  /** The value the winning round started from. */
  before: T | undefined;
  /** The value stored now (`before` when nothing was written). */
  after: T | undefined;
}

/** `modify` lost every round to other writers. */
export class ContentionError extends UnavailableError {
  constructor(message = 'The value is being changed by many at once; try again') {
    super(message);
  }
}

export interface VersionedStore<T> {
  /** false when the key exists already. */
  create(key: string, value: T): Promise<boolean>;
  get(key: string): Promise<Versioned<T> | null>;
  /** false when someone else wrote since `revision` (the caller reloads and decides again). */
  update(key: string, value: T, revision: number): Promise<boolean>;
  /** Reads, applies `change`, writes with the revision read; on a lost race, reads and decides again. */
  modify(key: string, change: Modification<T>, options?: ModifyOptions): Promise<Modified<T>>;
}

const DEFAULT_MODIFY_ATTEMPTS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `modify` written once over create/get/update; adapters supply those three. */
export abstract class CompareAndSetStore<T> implements VersionedStore<T> {
  abstract create(key: string, value: T): Promise<boolean>;
  abstract get(key: string): Promise<Versioned<T> | null>;
  abstract update(key: string, value: T, revision: number): Promise<boolean>;

  async modify(key: string, change: Modification<T>, options: ModifyOptions = {}): Promise<Modified<T>> {
    const attempts = options.attempts ?? DEFAULT_MODIFY_ATTEMPTS;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const stored = await this.get(key);
      const before = stored?.value;
      const next = await change(before);
      if (next === undefined) return { before, after: before };
      const written = stored ? await this.update(key, next, stored.revision) : await this.create(key, next);
      if (written) return { before, after: next };
      // Another writer won the round: wait a little (jittered, growing) and decide again.
      await sleep(randomInt(1, 5 + attempt * 2));
    }
    throw new ContentionError(options.contentionMessage);
  }
}

const encoder = new TextEncoder();

/** The error KV answers when the key moved past the expected revision (or already exists, for create). */
function isWrongRevision(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** One key prefix of a JetStream KV bucket (keys: [-/_=.A-Za-z0-9]). */
export class KvVersionedStore<T> extends CompareAndSetStore<T> {
  constructor(
    private readonly kv: KV,
    private readonly prefix: string,
  ) {
    super();
  }

  async create(key: string, value: T): Promise<boolean> {
    try {
      await this.kv.create(`${this.prefix}.${key}`, encoder.encode(JSON.stringify(value)));
      return true;
    } catch (error) {
      if (isWrongRevision(error)) return false;
      throw error;
    }
  }

  async get(key: string): Promise<Versioned<T> | null> {
    const entry = await this.kv.get(`${this.prefix}.${key}`);
    if (!entry || entry.operation !== 'PUT') return null;
    return { value: JSON.parse(entry.string()) as T, revision: entry.revision };
  }

  async update(key: string, value: T, revision: number): Promise<boolean> {
    try {
      await this.kv.update(`${this.prefix}.${key}`, encoder.encode(JSON.stringify(value)), revision);
      return true;
    } catch (error) {
      if (isWrongRevision(error)) return false;
      throw error;
    }
  }
}
