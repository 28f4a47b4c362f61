/**
 * Shared state (login requests, authorization codes, refresh tokens, invites) as JSON values with a
 * revision, updated by compare-and-set, so that any replica can serve any step and two replicas
 * racing on one value cannot both win. The JetStream KV adapter and an in-memory one live here.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';

export interface Versioned<T> {
  value: T;
  revision: number;
}

export interface VersionedStore<T> {
  /** false when the key exists already. */
  create(key: string, value: T): Promise<boolean>;
  get(key: string): Promise<Versioned<T> | null>;
  /** false when someone else wrote since `revision` (the caller reloads and decides again). */
  update(key: string, value: T, revision: number): Promise<boolean>;
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
export class KvVersionedStore<T> implements VersionedStore<T> {
  constructor(
    private readonly kv: KV,
    private readonly prefix: string,
  ) {}

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

/** In-memory implementation with the same compare-and-set semantics (unit tests, single process). */
export class InMemoryVersionedStore<T> implements VersionedStore<T> {
  private readonly entries = new Map<string, Versioned<string>>();
  private revision = 0;

  async create(key: string, value: T): Promise<boolean> {
    if (this.entries.has(key)) return false;
    this.entries.set(key, { value: JSON.stringify(value), revision: ++this.revision });
    return true;
  }

  async get(key: string): Promise<Versioned<T> | null> {
    const entry = this.entries.get(key);
    return entry ? { value: JSON.parse(entry.value) as T, revision: entry.revision } : null;
  }

  async update(key: string, value: T, revision: number): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry || entry.revision !== revision) return false;
    this.entries.set(key, { value: JSON.stringify(value), revision: ++this.revision });
    return true;
  }
}
