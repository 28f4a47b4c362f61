/**
 * IssuerBatchRoute: mints that callers' RpcClients coalesced into one message (group commit). Each
 * item runs through the same handler its own subject would reach, with its caller's request context
 * (the item's `requestId`), and is answered as that subject would answer it; one failing item fails
 * only itself. With tracing on, each item is a span of its caller's trace (the item's
 * `traceparent`), linked to the batch's.
 */
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IssuerBatchRoute, IssuerRoutes, OAuthRoutes, PublicRoutes, requireObject } from '@roomkey/contracts';
import { InvalidRequestError, logFailure, toWireError } from '@roomkey/errors';
import { InRequest, isAcceptableRequestId, traceBatchItem, type RequestContext, type TraceSpan } from '@roomkey/nats';
import { InternalApiHandlers } from '../internal-api/internal-api.handlers';
import { OAuthHandlers } from '../oauth/oauth.handlers';
import { AccessTokenHandlers } from './access-token.handlers';

type ItemHandler = (body: unknown, context: RequestContext) => Promise<object>;

@Controller()
export class BatchHandlers {
  private readonly handlers: ReadonlyMap<string, ItemHandler>;

  constructor(accessTokens: AccessTokenHandlers, oauth: OAuthHandlers, internal: InternalApiHandlers) {
    this.handlers = new Map<string, ItemHandler>([
      [PublicRoutes.createAccessToken.subject, (body, context) => accessTokens.create(body, context)],
      [OAuthRoutes.token.subject, (body, context) => oauth.token(body, context)],
      [IssuerRoutes.mintToken.subject, (body, context) => internal.mint(body, context)],
    ]);
    for (const subject of IssuerBatchRoute.subjects) if (!this.handlers.has(subject)) throw new Error(`No batch handler for ${subject}`);
  }

  @MessagePattern(IssuerBatchRoute.subject)
  async batch(@Payload() request: unknown, @InRequest() batch: RequestContext): Promise<{ items: object[] }> {
    const items = requireObject(request).items;
    if (!Array.isArray(items) || items.length === 0 || items.length > IssuerBatchRoute.maxItems) {
      throw new InvalidRequestError(`A batch holds 1 to ${IssuerBatchRoute.maxItems} items`);
    }
    return { items: await Promise.all(items.map((item) => this.answer(item, batch))) };
  }

  /** One item's reply: `{ok: true, …result}` or the wire error its subject would have sent. */
  private answer(item: unknown, batch: RequestContext): Promise<object> {
    const { subject, requestId, body, traceparent, tracestate } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const handler = typeof subject === 'string' ? this.handlers.get(subject) : undefined;
    // The item's own request (no actor: mints are no admin change), in the service handling the batch.
    const own: RequestContext = isAcceptableRequestId(requestId) ? { requestId, service: batch.service } : { service: batch.service };
    const run = async (span?: TraceSpan): Promise<object> => {
      const context = span === undefined ? own : { ...own, span };
      try {
        if (!handler) throw new InvalidRequestError('A batch item names a subject that does not take batches');
        return { ok: true, ...(await handler(body, context)) };
      } catch (error) {
        return toWireError(logFailure(error, typeof subject === 'string' ? subject : IssuerBatchRoute.subject, context));
      }
    };
    return batch.span === undefined ? run() : traceBatchItem(batch.span, String(subject), { traceparent, tracestate }, run);
  }
}
