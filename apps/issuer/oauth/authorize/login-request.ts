/**
 * A login request as an explicit state machine with guarded transitions:
 *
 *   created ──accept──▶ accepted ──issueCode──▶ code_issued ──redeem──▶ code_used
 *      └──reject──▶ rejected
 *
 * It lives in JetStream KV (any replica serves any step) for ROOMKEY_LOGIN_REQUEST_TTL_SECONDS.
 */
import type { MediaPlatform, Role, TokenMetadata } from '@roomkey/contracts';
import { ConflictError } from '@roomkey/errors';

export type LoginRequestState = 'created' | 'accepted' | 'rejected' | 'code_issued' | 'code_used';

export const LOGIN_REQUEST_TRANSITIONS: Readonly<Record<LoginRequestState, readonly LoginRequestState[]>> = {
  created: ['accepted', 'rejected'],
  accepted: ['code_issued'],
  code_issued: ['code_used'],
  rejected: [],
  code_used: [],
};

export interface LoginRequest {
  challenge: string;
  tenant: string;
  clientId: string;
  redirectUri: string;
  /** PKCE S256 challenge. */
  codeChallenge: string;
  scopes: string[];
  audience: string | null;
  /** The client's `state`, echoed in the redirect. */
  oauthState: string | null;
  state: LoginRequestState;
  createdAt: number;
  expiresAt: number;
  subject?: string;
  role?: Role;
  rooms?: string[];
  /** The login app's `metadata` for the tokens (already checked). */
  metadata?: TokenMetadata;
  /** The claim profile the login app asked for: the token endpoint answers with that platform's token. */
  profile?: MediaPlatform;
  /** SHA-256 of the authorization code (the code itself is never stored). */
  codeHash?: string;
  codeExpiresAt?: number;
  /** What the code was exchanged for, so a second use can revoke it (RFC 6749 §4.1.2). */
  issued?: { jti: string; exp: number; familyId?: string };
}

export class LoginRequestTransitionError extends ConflictError {}

export function canTransition(from: LoginRequestState, to: LoginRequestState): boolean {
  return LOGIN_REQUEST_TRANSITIONS[from].includes(to);
}

/** The request in state `to` with `changes` applied; refuses transitions the machine does not allow. */
export function transition(request: LoginRequest, to: LoginRequestState, changes: Partial<LoginRequest> = {}): LoginRequest {
  if (!canTransition(request.state, to)) {
    throw new LoginRequestTransitionError(`The login request is ${request.state.replace('_', ' ')} and cannot become ${to.replace('_', ' ')}`);
  }
  return { ...request, ...changes, state: to };
}
