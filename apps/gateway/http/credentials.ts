/** Credentials from HTTP headers: Basic `apiKey:secret` (v1 API) and the admin Bearer token. */
import type { ApiCredentials } from '@roomkey/contracts';
import { InvalidClientError, UnauthorizedError } from '@roomkey/errors';

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

/**
 * OAuth client_secret_basic (RFC 6749 §2.3.1): id and secret are form-urlencoded before base64.
 * undefined when no Basic header is sent (the client may authenticate in the body instead).
 */
export function oauthBasicCredentials(authorization: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (!authorization || !/^Basic\s/i.test(authorization)) return undefined;
  const match = BASIC.exec(authorization);
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClientError('Malformed HTTP Basic client credentials');
  const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClientError('Malformed HTTP Basic client credentials');
  }
}
