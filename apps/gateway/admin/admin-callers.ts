import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '@roomkey/config';
import { ADMIN_KEY_SECRET_PREFIX, BOOTSTRAP_ACTOR, KeysRoutes, type Namespace, type RoomkeyEvent } from '@roomkey/contracts';
import { safeEqual } from '@roomkey/crypto';
import { NAMESPACE, NATS_CONNECTION, RpcClient, subscribeToEvents, type RequestContext } from '@roomkey/nats';
import { createHash } from 'node:crypto';
import { GATEWAY_CONFIG } from '../infra.module';
import type { AdminCaller } from './admin-scope';

/** How long a resolved admin key is believed without asking again (a revocation drops it at once). */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 1000;

/**
 * Resolves an admin bearer token: the bootstrap token (compared in constant time), or an admin key
 * (asked of the keys service, which holds only keyed hashes). Resolved keys are kept a minute in
 * memory, keyed by the SHA-256 of the token; an `admin-key.revoked` event, which every gateway
 * replica hears on its own subscription, drops the key at once — so a revoked key stops within
 * the event's delivery time. A reconnect to NATS (events possibly missed) empties the cache.
 */
@Injectable()
export class AdminCallers implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AdminCallers.name);
  private readonly cache = new Map<string, { caller: AdminCaller; until: number }>();
  private subscription?: { close(): void };

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(NAMESPACE) private readonly namespace: Namespace,
    private readonly rpc: RpcClient,
  ) {}

  onModuleInit(): void {
    this.subscription = subscribeToEvents(
      this.connection,
      this.namespace,
      (event) => this.onEvent(event),
      () => this.cache.clear(),
    );
  }

  /** The caller a bearer token stands for, or undefined (the guard answers 401). */
  async resolve(token: string, context: RequestContext): Promise<AdminCaller | undefined> {
    if (safeEqual(token, this.config.adminToken)) return { id: BOOTSTRAP_ACTOR, tenant: null, scopes: ['*'], bootstrap: true };
    if (!token.startsWith(ADMIN_KEY_SECRET_PREFIX) || token.length > 256) return undefined;
    const cacheKey = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.caller;
    const { principal } = await this.rpc.request(KeysRoutes.authenticateAdminKey, { secret: token }, context);
    if (!principal) {
      this.cache.delete(cacheKey);
      return undefined;
    }
    const caller: AdminCaller = { ...principal, bootstrap: false };
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cacheKey, { caller, until: Date.now() + CACHE_TTL_MS });
    return caller;
  }

  private onEvent(event: RoomkeyEvent): void {
    if (event.type !== 'admin-key.revoked') return;
    for (const [key, entry] of this.cache) if (entry.caller.id === event.adminKeyId) this.cache.delete(key);
    this.logger.log(`Admin key ${event.adminKeyId} revoked: dropped from the cache`);
  }

  onApplicationShutdown(): void {
    this.subscription?.close();
  }
}
