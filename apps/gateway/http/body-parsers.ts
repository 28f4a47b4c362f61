/**
 * The gateway's body parsers (contract §4). JSON is measured before `JSON.parse` builds anything:
 * nesting deeper than 64 levels is a 400 naming the body, never a deep object handed to the
 * services. Form bodies (fast-querystring) are flat, so only JSON needs the check.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { MAX_JSON_DEPTH, jsonNestingExceeds } from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';
import { MAX_BODY_BYTES } from './http-errors';

export const JSON_TOO_DEEP_MESSAGE = `Request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`;

/** Call before `app.init()`: Nest then keeps this parser instead of its default one. */
export function registerJsonBodyParser(app: NestFastifyApplication): void {
  const parseJson = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: MAX_BODY_BYTES }, (request, body, done) => {
    const text = body.toString('utf8');
    if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) {
      done(new InvalidRequestError(JSON_TOO_DEEP_MESSAGE), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
