/**
 * One namespace per deployment (contract §5): `ROOMKEY_NAMESPACE` is the first token of every
 * subject and prefixes every queue group, KV bucket and stream, so deployments never mix on one
 * NATS. Routes keep their default subjects (`roomkey.…`); a `Namespace` derives the wire names from
 * them, so with the default namespace nothing on the wire changes.
 */
import type { EventType } from './events';
import type { ServiceName } from './messages';

export const DEFAULT_NAMESPACE = 'roomkey';
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** The subjects a *client* (an internal caller) may request (contract §5.1). */
export const PUBLIC_REQUEST_SUBJECTS = ['v1.tokens.create', 'v1.tokens.verify', 'v1.guests.create', 'v1.anonymous.create'] as const;

/** Every JetStream KV bucket roomkey keeps, by role; each is named from the namespace. */
export const KV_BUCKETS = {
  revokedTokens: (ns: string) => `${ns}_revoked_tokens`,
  /** `iat` cut-offs: one per tenant and one per revoked user. */
  revocationCutoffs: (ns: string) => `${ns}_revocation_cutoffs`,
  authFailures: (ns: string) => `${ns}_auth_failures`,
  loginRequests: (ns: string) => `${ns}_login_requests`,
  refreshTokens: (ns: string) => `${ns}_refresh_tokens`,
  invites: (ns: string) => `${ns.toUpperCase()}_INVITES`,
  identityRateLimits: (ns: string) => `${ns.toUpperCase()}_IDENTITY_RATE_LIMITS`,
  /** Which deployment (database) serves this namespace (see the keys service's ownership claim). */
  deploymentOwner: (ns: string) => `${ns}_deployment`,
  /** Webhook delivery outcomes (`{webhookId}.{deliveryId}`), kept a week; the keys service writes them. */
  webhookDeliveries: (ns: string) => `${ns}_webhook_deliveries`,
} as const;
export type KvBucketName = keyof typeof KV_BUCKETS;

export const STREAMS = {
  events: (ns: string) => `${ns.toUpperCase()}_EVENTS`,
} as const;

export class Namespace {
  readonly name: string;

  constructor(name: string = DEFAULT_NAMESPACE) {
    if (!NAMESPACE_PATTERN.test(name)) {
      throw new Error(`ROOMKEY_NAMESPACE must match ${NAMESPACE_PATTERN.source} (got '${name}')`);
    }
    this.name = name;
  }

  /** A route's subject (defined once with the default namespace) on this namespace's wire. */
  subject(defaultSubject: string): string {
    if (this.name === DEFAULT_NAMESPACE) return defaultSubject;
    if (!defaultSubject.startsWith(`${DEFAULT_NAMESPACE}.`)) throw new Error(`Subject '${defaultSubject}' is not a roomkey subject`);
    return `${this.name}${defaultSubject.slice(DEFAULT_NAMESPACE.length)}`;
  }

  /** Queue group per service: each request is handled by one replica of that service. */
  queueGroup(service: ServiceName): string {
    return `${this.name}-${service}`;
  }

  bucket(bucket: KvBucketName): string {
    return KV_BUCKETS[bucket](this.name);
  }

  get eventsStream(): string {
    return STREAMS.events(this.name);
  }

  /** Every event of every tenant (subscribe to this to keep a cache fresh). */
  get allEvents(): string {
    return `${this.name}.v1.events.>`;
  }

  eventSubject(tenant: string, type: EventType): string {
    return `${this.name}.v1.events.${tenant}.${type}`;
  }

  /**
   * Replies to requests between roomkey's services go here, not to `_INBOX.>`: a *client* may
   * subscribe to `_INBOX.>` (its own replies) and must not read the services' internal answers.
   */
  get serviceInboxPrefix(): string {
    return `${this.name}.internal._INBOX`;
  }

  /** Core-NATS notice that a shared rate limiter blocked a key (every replica hears it). */
  rateLimitBlocked(bucket: string): string {
    return `${this.name}.internal.rate-limit.${bucket}.blocked`;
  }
}

/** What each role may do on the bus (contract §5.1), for nats-server's user permissions. */
export interface BusPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

export function clientPermissions(ns: Namespace): BusPermissions {
  return {
    publish: { allow: PUBLIC_REQUEST_SUBJECTS.map((s) => `${ns.name}.${s}`) },
    subscribe: { allow: [`${ns.name}.v1.events.>`, '_INBOX.>'] },
  };
}

/**
 * roomkey's own processes: their namespace's subjects, replies to clients' inboxes, and the
 * JetStream API for their own streams and buckets only.
 */
export function servicePermissions(ns: Namespace): BusPermissions {
  const streams = [ns.eventsStream, ...Object.keys(KV_BUCKETS).map((b) => `KV_${ns.bucket(b as KvBucketName)}`)];
  const jetStreamApi = [
    '$JS.API.INFO',
    ...streams.flatMap((s) => [
      `$JS.API.STREAM.*.${s}`,
      `$JS.API.STREAM.MSG.*.${s}`,
      `$JS.API.DIRECT.GET.${s}`,
      `$JS.API.DIRECT.GET.${s}.>`,
      `$JS.API.CONSUMER.*.${s}`,
      `$JS.API.CONSUMER.*.${s}.>`,
      `$JS.API.CONSUMER.MSG.NEXT.${s}.>`,
      `$JS.ACK.${s}.>`,
      `$JS.FC.${s}.>`,
    ]),
  ];
  const kv = Object.keys(KV_BUCKETS).map((b) => `$KV.${ns.bucket(b as KvBucketName)}.>`);
  return {
    publish: { allow: [`${ns.name}.>`, '_INBOX.>', ...jetStreamApi, ...kv] },
    subscribe: { allow: [`${ns.name}.>`, ...kv] },
  };
}
