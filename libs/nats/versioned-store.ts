/**
 * Shared state (login requests, authorization codes, refresh tokens, invites, rate-limit windows)
 * as JSON values with a revision, updated by compare-and-set, so that any replica can serve any
 * step and two replicas racing on one value cannot both win. `modify` is the one read-decide-write
 * loop every caller uses; the JetStream KV adapter lives here, an in-memory one in @roomkey/testing.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Bucket, type KV } from '@nats-io/kv';
import { errors } from '@nats-io/transport-node';
import { UnavailableError } from '@roomkey/errors';
import { randomInt, randomUUID } from 'node:crypto';

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

/**
 * The bucket's stream has no leader this moment (an election after a node loss: no responders, or
 * JetStream's own 503), or the answer never came (a leader lost mid-write: the write may or may not
 * have landed). Both are worth asking again for a moment.
 */
function isTransient(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return [error, cause].some(
    (e) =>
      e instanceof errors.TimeoutError ||
      e instanceof errors.NoRespondersError ||
      // Not exported by @nats-io/jetstream: known by its name.
      (e instanceof Error && e.name === 'JetStreamNotEnabled') ||
      (e instanceof errors.RequestError && e.isNoResponders()) ||
      (e instanceof JetStreamApiError && e.status === 503),
  );
}

/** How long one read or write keeps asking through a stream's leader election before failing with 503. */
export const KV_RETRY_BUDGET_MS = 2000;
/** One attempt's wait for JetStream's answer. */
const KV_ATTEMPT_TIMEOUT_MS = 1000;
const KV_RETRY_PAUSE_MS = 100;

/** Runs `call`, asking again on a transient failure until the budget is spent (then its last error). */
async function askThroughElections<R>(call: () => Promise<R>, budgetMs = KV_RETRY_BUDGET_MS): Promise<R> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || Date.now() + KV_RETRY_PAUSE_MS >= deadline) throw error;
      await sleep(KV_RETRY_PAUSE_MS);
    }
  }
}

/**
 * One key prefix of a JetStream KV bucket (keys: [-/_=.A-Za-z0-9]).
 *
 * Writes are published on the key's subject with the expected revision and a `Nats-Msg-Id` of
 * their own, and a write whose answer was lost is asked again under the same id: JetStream checks
 * de-duplication before the expected revision, so a repeat of a write that did land is answered
 * `duplicate` (true: it is ours) rather than "wrong last sequence". Without that, a use of an invite
 * counted during a leader election could be counted again on the retry, or reported failed while it
 * stood.
 */
export class KvVersionedStore<T> extends CompareAndSetStore<T> {
  private readonly bucket: Bucket;

  constructor(
    kv: KV,
    private readonly prefix: string,
  ) {
    super();
    if (!(kv instanceof Bucket)) throw new TypeError('KvVersionedStore needs a bucket opened with Kvm');
    this.bucket = kv;
  }

  async create(key: string, value: T): Promise<boolean> {
    if (await this.write(key, value, 0)) return true;
    // A deleted or purged key leaves a marker with a revision: creating over it is allowed.
    const entry = await askThroughElections(() => this.bucket.get(this.fullKey(key)));
    if (!entry || (entry.operation !== 'DEL' && entry.operation !== 'PURGE')) return false;
    return this.write(key, value, entry.revision);
  }

  async get(key: string): Promise<Versioned<T> | null> {
    const entry = await askThroughElections(() => this.bucket.get(this.fullKey(key)));
    if (!entry || entry.operation !== 'PUT') return null;
    return { value: JSON.parse(entry.string()) as T, revision: entry.revision };
  }

  update(key: string, value: T, revision: number): Promise<boolean> {
    return this.write(key, value, revision);
  }

  /** true: stored (by this call, possibly on a repeat); false: the key is past `revision`. */
  private async write(key: string, value: T, revision: number): Promise<boolean> {
    const subject = this.bucket.subjectForKey(this.bucket.encodeKey(this.fullKey(key)), true);
    const payload = encoder.encode(JSON.stringify(value));
    const options = { msgID: randomUUID(), expect: { lastSubjectSequence: revision }, timeout: KV_ATTEMPT_TIMEOUT_MS };
    try {
      await askThroughElections(() => this.bucket.js.publish(subject, payload, options));
      return true;
    } catch (error) {
      if (isWrongRevision(error)) return false;
      throw error;
    }
  }

  private fullKey(key: string): string {
    return `${this.prefix}.${key}`;
  }
}
