import { requireObject, type OAuthEndpointRequest, type OAuthParams } from '@roomkey/contracts';
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

/** Refuses any repeated parameter up front, whichever the grant reads. */
export function rejectRepeatedParams(params: OAuthParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) throw new OAuthInvalidRequestError(`Parameter '${name}' must not be repeated`);
  }
}

/** An endpoint request's form parameters, with repeated parameters refused up front. */
export function endpointParams(request: OAuthEndpointRequest): OAuthParams {
  const params = requireObject(request?.params, 'The form body') as OAuthParams;
  rejectRepeatedParams(params);
  return params;
}
