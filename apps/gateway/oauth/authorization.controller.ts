import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { AuthorizationRoutes, type AuthorizeRequest } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import type { FastifyReply } from 'fastify';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function errorPage(error: string, description: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head>
<body><h1>Authorization error</h1><p><strong>${escapeHtml(error)}</strong>: ${escapeHtml(description)}</p>
<p>The application that sent you here is misconfigured; you were not redirected back to it.</p></body></html>
`;
}

/** The authorization endpoint (RFC 6749 §4.1.1): validated by the issuer, then a 302 or an error page. */
@Controller('realms/:tenant/protocol/openid-connect')
export class AuthorizationController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('auth')
  async authorize(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Query() query: AuthorizeRequest['query'], @Res() reply: FastifyReply): Promise<FastifyReply> {
    const result = await this.rpc.request(AuthorizationRoutes.authorize, { tenant, query: { ...query } }, context);
    void reply.header('cache-control', 'no-store');
    if ('redirectTo' in result) return reply.status(302).header('location', result.redirectTo).send();
    return reply.status(400).type('text/html; charset=utf-8').send(errorPage(result.errorPage.error, result.errorPage.error_description));
  }
}
