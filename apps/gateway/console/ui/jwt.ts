/** Reads a JWT's header and claims for display; verification is the server's job (/v1/tokens/verify). */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

function base64UrlJson(part: string): Record<string, unknown> {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

/** The decoded parts, or `undefined` when the text is not a JWS compact serialization. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return undefined;
  try {
    return { header: base64UrlJson(parts[0]), claims: base64UrlJson(parts[1]) };
  } catch {
    return undefined;
  }
}
