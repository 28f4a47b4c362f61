/**
 * Path parameters longer than their schema allows (docs/gateway-schemas.ts `PathParameters`) are
 * answered 404 here, briefly, before any service sees them. The router itself takes parameters up
 * to `MAX_PARAM_LENGTH` characters: a user id (up to 255 code points) percent-encoded needs that much.
 */
import { InvalidRequestError, NotFoundError } from '@roomkey/errors';
import type { FastifyInstance } from 'fastify';
import { PathParameters } from '../docs/gateway-schemas';
import { isOAuthEndpoint, sendHttpError } from './http-errors';

export const MAX_PARAM_LENGTH = 3072;
const TENANT_MAX_LENGTH = 63;

const limits: Record<string, number> = Object.fromEntries(
  Object.entries(PathParameters).flatMap(([name, schema]) => {
    const max = name === 'tenant' ? TENANT_MAX_LENGTH : (schema as { maxLength?: number }).maxLength;
    return max === undefined ? [] : [[name, max]];
  }),
);

export function registerPathParameterLimits(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    const params = request.params as Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(params ?? {})) {
      const max = limits[name];
      if (max !== undefined && typeof value === 'string' && value.length > max) {
        const sentence = `Path parameter '${name}' is longer than ${max} characters: nothing has such a name`;
        // The OAuth endpoints answer RFC 6749's invalid_request (400); the others 404.
        sendHttpError(reply, isOAuthEndpoint(request.url, request.method) ? new InvalidRequestError(sentence, name) : new NotFoundError(sentence), request);
        return;
      }
    }
    done();
  });
}
