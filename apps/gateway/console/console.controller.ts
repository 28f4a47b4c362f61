import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { NotFoundError, UnavailableError } from '@roomkey/errors';
import type { FastifyReply } from 'fastify';
import { ConsoleAssets } from './console-assets';

/**
 * The console's page may load only its own files and talk only to this origin; it is never framed
 * and sends no referrer (a token in the page's URL would never leak, and there is none anyway).
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** A client route of the single-page console (`/console/tenants`): letters, digits and dashes, no dot. */
const CLIENT_ROUTE = /^[A-Za-z0-9-]+$/;

/** GET /console: the web console (static files; every call it makes goes to the admin and v1 APIs). */
@Controller('console')
export class ConsoleController {
  constructor(@Inject(ConsoleAssets) private readonly assets: ConsoleAssets) {}

  @Get()
  page(@Res() reply: FastifyReply) {
    return this.send(reply, 'index.html');
  }

  /** A built file, or the page itself for a client route (so a reloaded deep link still opens the console). */
  @Get(':file')
  file(@Param('file') file: string, @Res() reply: FastifyReply) {
    return this.send(reply, CLIENT_ROUTE.test(file) ? 'index.html' : file);
  }

  private send(reply: FastifyReply, file: string) {
    reply.headers(CONSOLE_SECURITY_HEADERS);
    const asset = this.assets.get(file);
    if (asset === undefined) throw new NotFoundError(`No file '${file}' in the web console`);
    if (asset === null) throw new UnavailableError('The web console has not been built: run `npm run build` (npm start builds it first)');
    const caching = file === 'index.html' ? 'no-cache' : 'public, max-age=300';
    return reply.type(asset.contentType).header('cache-control', caching).send(asset.body);
  }
}
