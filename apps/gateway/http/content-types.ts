/**
 * A body whose content type the route does not take gets 415 `invalid_request` (contract §4),
 * before any parser runs: the media types each route takes come from API_ROUTES, the table the
 * OpenAPI document is built from, so the document and the gateway never disagree.
 */
import type { FastifyInstance } from 'fastify';
import { API_ROUTES } from '../docs/api-routes';
import { unsupportedMediaType } from './http-errors';

/** `POST /realms/:tenant/…` (Fastify's form of a route) → the media types its body may have. */
const ACCEPTED = new Map<string, readonly string[]>(
  API_ROUTES.filter((route) => route.request).map((route) => [`${route.method} ${route.path.replace(/\{([^}]+)\}/g, ':$1')}`, route.request!.contentTypes]),
);

const mediaTypeOf = (header: string | undefined) => (header ?? '').split(';')[0].trim().toLowerCase();

export function registerContentTypeCheck(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, _reply, done) => {
    const accepted = ACCEPTED.get(`${request.method} ${request.routeOptions.url}`);
    const length = request.headers['content-length'];
    const hasBody = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (accepted && hasBody && !accepted.includes(mediaTypeOf(request.headers['content-type']))) {
      done(unsupportedMediaType(accepted));
      return;
    }
    done();
  });
}
