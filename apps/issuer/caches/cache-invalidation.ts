import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Namespace, RoomkeyEvent } from '@roomkey/contracts';
import { NAMESPACE, NATS_CONNECTION, subscribeToEvents } from '@roomkey/nats';
import { ClientCache } from '../oauth/client-cache';
import { CredentialCache } from '../authentication/credential-cache';
import { KeyringCache } from '../signing/keyring-cache';

/**
 * Keeps this replica's caches fresh. Every replica subscribes on its own (no queue group), so an
 * API-key revocation or a key rotation reaches all of them within milliseconds.
 */
@Injectable()
export class CacheInvalidation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidation.name);
  private subscription?: { close(): void };

  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(NAMESPACE) private readonly namespace: Namespace,
    private readonly credentials: CredentialCache,
    private readonly clients: ClientCache,
    private readonly keyrings: KeyringCache,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = subscribeToEvents(
      this.connection,
      this.namespace,
      (event) => this.apply(event),
      () => {
        this.logger.warn('NATS connection interrupted: dropping cached keys and credentials');
        this.credentials.clear();
        this.clients.clear();
        this.keyrings.clear();
      },
    );
  }

  apply(event: RoomkeyEvent): void {
    switch (event.type) {
      case 'api-key.created':
      case 'api-key.rotated':
      case 'api-key.revoked':
        if (event.apiKey) this.credentials.invalidate(event.apiKey);
        break;
      case 'client.created':
      case 'client.secret-rotated':
      case 'client.updated':
      case 'client.revoked':
        if (event.clientId) this.clients.invalidate(event.clientId);
        break;
      case 'tenant.created':
      // The keyring holds the tenant's settings (switches, role matrix) that identity reads through here too.
      case 'tenant.updated':
      case 'tenant.deleted':
      case 'signing-key.rotated':
      case 'signing-key.retired':
      case 'signing-key.revoked':
      // The keyring holds the tenant's media-platform credentials (claim profiles).
      case 'media-platform.updated':
      case 'media-platform.removed':
        this.keyrings.invalidate(event.tenant);
        break;
      default:
        break;
    }
  }

  onApplicationShutdown(): void {
    this.subscription?.close();
  }
}
