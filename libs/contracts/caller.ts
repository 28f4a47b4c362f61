/**
 * The caller of a public request, split from its body once at the handler (contract §5: NATS
 * requests carry `apiKey` and `secret` in the body; the gateway adds the client's address).
 * Authentication sees only the caller; the use case only the validated body.
 */
import { Type, type Static } from './schema';

export const CALLER_FIELDS = ['apiKey', 'secret', 'clientAddress'] as const;

export const ApiCallerSchema = Type.Object({
  apiKey: Type.Optional(Type.String({ description: 'The API key (public part)' })),
  secret: Type.Optional(Type.String({ description: "The API key's secret" })),
  clientAddress: Type.Optional(Type.String({ description: "Set by the gateway: the HTTP client's address, for brute-force limits" })),
});
export type ApiCaller = Static<typeof ApiCallerSchema>;

/** `{caller, body}` from a request whose body carries the caller's credentials beside its fields. */
export function splitCaller(request: unknown): { caller: ApiCaller; body: unknown } {
  const prototype = typeof request === 'object' && request !== null ? Object.getPrototypeOf(request) : undefined;
  // Not a plain object (an array, malformed JSON): the body's validation names the problem.
  if (prototype !== Object.prototype && prototype !== null) return { caller: {}, body: request };
  const { apiKey, secret, clientAddress, ...body } = request as Record<string, unknown>;
  const caller: ApiCaller = {};
  // A credential that is not a string is a wrong credential (401), not a missing one.
  if (apiKey !== undefined && apiKey !== null) caller.apiKey = typeof apiKey === 'string' ? apiKey : JSON.stringify(apiKey);
  if (secret !== undefined && secret !== null) caller.secret = typeof secret === 'string' ? secret : JSON.stringify(secret);
  if (typeof clientAddress === 'string') caller.clientAddress = clientAddress;
  return { caller, body };
}
