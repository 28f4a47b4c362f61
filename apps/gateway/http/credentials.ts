/** Credentials from HTTP headers: Basic `apiKey:secret` (v1 API) and the admin Bearer token. */
import type { ApiCredentials } from '@roomkey/contracts';
import { UnauthorizedError } from '@roomkey/errors';

const BASIC = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function basicCredentials(authorization: string | undefined): ApiCredentials {
  if (!authorization) {
    throw new UnauthorizedError('Missing credentials: send HTTP Basic authentication with your API key and secret');
  }
  const match = BASIC.exec(authorization);
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    throw new UnauthorizedError('Malformed credentials: use HTTP Basic with apiKey:secret');
  }
  return { apiKey: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization ? BEARER.exec(authorization) : null;
  return match ? match[1] : undefined;
}
