import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { IssuerRoutes, KeysRoutes, REVOCATION_EVENT_TYPES, type RevocationSnapshot } from '@roomkey/contracts';
import { NotFoundError, UnauthorizedError } from '@roomkey/errors';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { basicCredentials } from '../http/credentials';
import { EventStreams } from './event-streams';

/**
 * GET /realms/{t}/revocations: Server-Sent Events for verifiers that are not on NATS. Any API key
 * of the tenant (Basic), authenticated by the issuer like every Basic route; then a `snapshot` of
 * every revocation in force and one event per revocation after it (event-streams.ts).
 */
@Controller('realms/:tenant/revocations')
export class RevocationsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly streams: EventStreams,
  ) {}

  @Get()
  async stream(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const credentials = basicCredentials(request.headers.authorization);
    const caller = await this.rpc.request(IssuerRoutes.authenticateApiKey, { ...credentials, clientAddress: request.ip }, context);
    if (caller.tenant.shortcode !== tenant) {
      await this.rpc.request(KeysRoutes.getTenant, { tenant }, context); // 404 for a tenant that does not exist
      throw new UnauthorizedError(`This API key does not belong to tenant '${tenant}'`);
    }
    await this.streams.serve({
      request,
      reply,
      tenant,
      owner: `api-key:${caller.apiKey}`,
      types: REVOCATION_EVENT_TYPES,
      snapshot: () => this.snapshot(tenant, context),
      // A revoked key (or a deleted tenant) hears its own revocation, then the stream ends: reconnecting is refused.
      endsAfter: {
        types: ['api-key.revoked', 'tenant.deleted'],
        // Deleting a tenant revokes its API keys before its signing keys: the stream then goes on
        // until `tenant.deleted`, so its verifier hears every signing key revoked first.
        test: async (type, event) => type === 'tenant.deleted' || (event.apiKey === caller.apiKey && (await this.tenantExists(tenant, context))),
      },
    });
  }

  private async tenantExists(tenant: string, context: RequestContext): Promise<boolean> {
    try {
      await this.rpc.request(KeysRoutes.getTenant, { tenant }, context);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  /** Revoked jtis and cut-offs from the issuer's buckets, revoked signing keys and API keys from the keys service. */
  private async snapshot(tenant: string, context: RequestContext): Promise<RevocationSnapshot> {
    const [issued, signingKeys, apiKeys] = await Promise.all([
      this.rpc.request(IssuerRoutes.revocationsInForce, { tenant }, context),
      this.rpc.request(KeysRoutes.listSigningKeys, { tenant }, context),
      this.rpc.request(KeysRoutes.listApiKeys, { tenant }, context),
    ]);
    return {
      tenant,
      ...issued,
      signingKeys: signingKeys.items.filter((key) => key.state === 'revoked').map((key) => ({ kid: key.kid })),
      apiKeys: apiKeys.items.flatMap((key) => (key.revokedAt === null ? [] : [{ apiKey: key.apiKey, revokedAt: key.revokedAt }])),
    };
  }
}
