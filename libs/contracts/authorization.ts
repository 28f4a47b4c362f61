/**
 * Authorization code + PKCE with login delegation (Ory Hydra's login-challenge model): payloads and
 * subjects shared by the gateway and the issuer.
 */
import type { Role } from './roles';
import { route } from './subjects';

/** The authorization request as the gateway received it (query parameters, unvalidated). */
export interface AuthorizeRequest {
  tenant: string;
  query: Record<string, string | string[] | undefined>;
}

/**
 * What the gateway does next: redirect the browser, or show an error page (when the client or the
 * redirect URI cannot be trusted with a redirect, RFC 6749 §4.1.2.1).
 */
export type AuthorizeResult = { redirectTo: string } | { errorPage: { error: string; error_description: string } };

export interface LoginRequestView {
  challenge: string;
  tenant: string;
  clientId: string;
  redirectUri: string;
  requestedScope: string[];
  requestedAudience: string | null;
  state: 'created' | 'accepted' | 'rejected' | 'code_issued' | 'code_used';
  expiresAt: string;
}

export interface LoginRequestCall {
  challenge: string;
  /** The partner's production API key of the challenge's tenant. */
  apiKey: string;
  secret: string;
  body?: unknown;
  clientAddress?: string;
}

export interface LoginRequestRedirect {
  redirectTo: string;
}

export interface AcceptLoginBody {
  subject: string;
  role?: Role;
  rooms?: string[];
}

/** Error codes a partner's login app may answer with (RFC 6749 §4.1.2.1 and OpenID Connect). */
export const LOGIN_REJECTION_ERRORS = ['access_denied', 'login_required', 'interaction_required', 'consent_required', 'temporarily_unavailable', 'server_error'] as const;

export const AuthorizationRoutes = {
  authorize: route<AuthorizeRequest, AuthorizeResult>('roomkey.internal.issuer.oauth.authorize', 'issuer'),
  getLoginRequest: route<LoginRequestCall, LoginRequestView>('roomkey.internal.issuer.login-requests.get', 'issuer'),
  acceptLoginRequest: route<LoginRequestCall, LoginRequestRedirect>('roomkey.internal.issuer.login-requests.accept', 'issuer'),
  rejectLoginRequest: route<LoginRequestCall, LoginRequestRedirect>('roomkey.internal.issuer.login-requests.reject', 'issuer'),
} as const;

/** PKCE (RFC 7636): verifier and S256 challenge are 43–128 characters of the unreserved set. */
export const PKCE_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;
