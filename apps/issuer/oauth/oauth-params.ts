import { REPEATABLE_OAUTH_PARAMS, requireObject, type OAuthEndpointRequest, type OAuthParams } from '@roomkey/contracts';
import { OAuthInvalidRequestError } from '@roomkey/errors';

const MAX_PARAM_LENGTH = 8192;

/** One form parameter; RFC 6749 §3.2: a parameter sent more than once is invalid_request. */
export function param(params: OAuthParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) throw new OAuthInvalidRequestError(`Parameter '${name}' must not be repeated`);
  if (typeof value !== 'string') throw new OAuthInvalidRequestError(`Parameter '${name}' must be a string`);
  if (value.length > MAX_PARAM_LENGTH) throw new OAuthInvalidRequestError(`Parameter '${name}' is too long`);
  return value;
}

export function requiredParam(params: OAuthParams, name: string): string {
  const value = param(params, name);
  if (value === undefined) throw new OAuthInvalidRequestError(`Parameter '${name}' is required`);
  return value;
}

/** Refuses any repeated parameter up front, whichever the grant reads (but those RFC 8693 lets repeat). */
export function rejectRepeatedParams(params: OAuthParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value) && !REPEATABLE_OAUTH_PARAMS.includes(name)) throw new OAuthInvalidRequestError(`Parameter '${name}' must not be repeated`);
  }
}

/** Every value of a repeatable parameter (RFC 8693 `resource`), in order, duplicates folded. */
export function repeatedParam(params: OAuthParams, name: string): string[] {
  const value = params[name];
  if (value === undefined || value === '') return [];
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (typeof item !== 'string' || item === '') throw new OAuthInvalidRequestError(`Parameter '${name}' must be a non-empty string`);
    if (item.length > MAX_PARAM_LENGTH) throw new OAuthInvalidRequestError(`Parameter '${name}' is too long`);
  }
  return [...new Set(values as string[])];
}

/** An endpoint request's form parameters, with repeated parameters refused up front. */
export function endpointParams(request: OAuthEndpointRequest): OAuthParams {
  const params = requireObject(request?.params, 'The form body') as OAuthParams;
  rejectRepeatedParams(params);
  return params;
}
