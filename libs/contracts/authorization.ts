/**
 * Authorization code + PKCE with login delegation (Ory Hydra's login-challenge model): the subjects
 * shared by the gateway and the issuer. The messages are described once in schemas/oauth.ts.
 */
import {
  AuthorizeRequestSchema,
  AuthorizeResultSchema,
  LoginRequestCallSchema,
  LoginRequestRedirectSchema,
  LoginRequestViewSchema,
} from './schemas/oauth';
import { repeatable, schemaRoute } from './subjects';

export type {
  AcceptLoginRequestBody,
  AcceptLoginRequestBody as AcceptLoginBody,
  AuthorizeRequest,
  AuthorizeResult,
  LoginRequestCall,
  LoginRequestRedirect,
  LoginRequestView,
  RejectLoginRequestBody,
} from './schemas/oauth';
export { LOGIN_REJECTION_ERRORS } from './schemas/oauth';

export const AuthorizationRoutes = {
  authorize: schemaRoute('roomkey.internal.issuer.oauth.authorize', 'issuer', AuthorizeRequestSchema, AuthorizeResultSchema),
  getLoginRequest: repeatable(schemaRoute('roomkey.internal.issuer.login-requests.get', 'issuer', LoginRequestCallSchema, LoginRequestViewSchema)),
  acceptLoginRequest: schemaRoute('roomkey.internal.issuer.login-requests.accept', 'issuer', LoginRequestCallSchema, LoginRequestRedirectSchema),
  rejectLoginRequest: schemaRoute('roomkey.internal.issuer.login-requests.reject', 'issuer', LoginRequestCallSchema, LoginRequestRedirectSchema),
} as const;

/** PKCE (RFC 7636): verifier and S256 challenge are 43–128 characters of the unreserved set. */
export const PKCE_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;
