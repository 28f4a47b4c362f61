/**
 * One deployment per namespace on a NATS (contract §5.1). The keys service claims the namespace for
 * its database's deployment id in a KV entry that expires unless renewed, so a deployment that is
 * gone for good frees its namespace after a minute, and replicas of one deployment (same database,
 * same id) share the claim. A keys service of another database refuses to start.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigError, type KeysConfig } from '@roomkey/config';
import type { Namespace } from '@roomkey/contracts';
import { JETSTREAM_STORAGE, NAMESPACE, NATS_CONNECTION, type JetStreamStorage } from '@roomkey/nats';
import { DataSource } from 'typeorm';
import { loadOrCreateDeploymentId } from '../persistence/deployment-id';
import { KEYS_CONFIG } from '../ports';

const CLAIM_KEY = 'owner';
export const CLAIM_TTL_MS = 60_000;
const RENEW_EVERY_MS = 15_000;

interface Claim {
  deployment: string;
}

@Injectable()
export class NamespaceOwnership implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NamespaceOwnership.name);
  private renewal?: NodeJS.Timeout;
  private kv?: KV;
  private deploymentId = '';

  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(NAMESPACE) private readonly namespace: Namespace,
    @Inject(JETSTREAM_STORAGE) private readonly storage: JetStreamStorage,
    @Inject(KEYS_CONFIG) private readonly config: KeysConfig,
    private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    this.deploymentId = await loadOrCreateDeploymentId(this.dataSource);
    this.kv = await this.storage.openBucket('deploymentOwner', CLAIM_TTL_MS);
    const owner = await this.claim();
    if (owner !== this.deploymentId) {
      // The service will not start: let go of what it opened, so nothing keeps the process alive.
      await this.connection.close().catch(() => undefined);
      await this.dataSource.destroy().catch(() => undefined);
      throw new ConfigError(
        `Namespace '${this.namespace.name}' on the NATS at ${this.config.natsUrl} is already served by another roomkey deployment ` +
          `(another database): give this deployment its own ROOMKEY_NAMESPACE, or point DATABASE_URL / ROOMKEY_DATA_DIR at that deployment's database`,
      );
    }
    this.renewal = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.renewal.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.renewal);
  }

  /** Takes the namespace when nobody holds it; answers the deployment id that holds it now. */
  private async claim(): Promise<string> {
    const kv = this.kv!;
    const value = JSON.stringify({ deployment: this.deploymentId } satisfies Claim);
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await kv.get(CLAIM_KEY);
      if (current && current.operation === 'PUT') {
        const holder = current.json<Claim>().deployment;
        if (holder === this.deploymentId) await kv.update(CLAIM_KEY, value, current.revision).catch(() => undefined);
        return holder;
      }
      try {
        await kv.create(CLAIM_KEY, value);
        return this.deploymentId;
      } catch {
        // Another deployment (or a replica of ours) claimed it meanwhile: read again.
      }
    }
    throw new Error(`Could not claim namespace '${this.namespace.name}' on NATS (the claim kept changing)`);
  }

  private async renew(): Promise<void> {
    try {
      const holder = await this.claim();
      if (holder !== this.deploymentId) {
        this.logger.error(`Namespace '${this.namespace.name}' is now claimed by another deployment; this one keeps serving until it is stopped`);
      }
    } catch (error) {
      this.logger.warn(`Could not renew the claim on namespace '${this.namespace.name}': ${(error as Error).message}`);
    }
  }
}
