import { Inject, Injectable } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import {
  ANONYMOUS_SUBJECT,
  PKCE_PATTERN,
  issuerUrl,
  type AcceptLoginRequestBody,
  type ApiCaller,
  type AuthorizeRequest,
  type AuthorizeResult,
  type LoginRequestRedirect,
  type LoginRequestView,
  type RejectLoginRequestBody,
  parseTokenMetadata,
  userToken,
} from '@roomkey/contracts';
import { randomToken } from '@roomkey/crypto';
import { ConflictError, errorLog, ForbiddenError, GoneError, InvalidRequestError, NotFoundError, RoomkeyError } from '@roomkey/errors';
import { ApiKeyAuthenticator } from '../../authentication/api-key-authenticator';
import { ClientCache } from '../client-cache';
import { KeyringCache } from '../../signing/keyring-cache';
import { TokenSigner } from '../../signing/token-signer';
import { grantedAudience, grantedScopes } from '../scopes-and-audiences';
import { AUTHORIZATION_CODES, CLOCK, ISSUER_CONFIG, LOGIN_REQUESTS, type Clock } from '../../ports';
import { transition, type LoginRequest } from './login-request';
import { tokenHash } from './pkce';
import type { VersionedStore, RequestContext } from '@roomkey/nats';

/** Authorization codes are single use and live 60 s. */
export const AUTHORIZATION_CODE_TTL_MS = 60_000;
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

type Query = AuthorizeRequest['query'];

/** A login request found for its caller, with the revision its next change must match. */
export interface OpenLoginRequest {
  request: LoginRequest;
  revision: number;
  /** The login app's request that opened it. */
  context: RequestContext;
}

/** An error the authorization endpoint reports by redirecting back to the client (RFC 6749 §4.1.2.1). */
class RedirectableError extends Error {
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new RedirectableError('invalid_request', `Parameter '${name}' must not be repeated`);
  return value === '' ? undefined : value;
}

function withParams(base: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * The authorization endpoint and the login-challenge API (Ory Hydra's model): roomkey validates the
 * client's request, the partner's login app authenticates the user and accepts or rejects.
 */
@Injectable()
export class AuthorizationService {

  constructor(
    private readonly clients: ClientCache,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly keyrings: KeyringCache,
    @Inject(LOGIN_REQUESTS) private readonly loginRequests: VersionedStore<LoginRequest>,
    @Inject(AUTHORIZATION_CODES) private readonly codes: VersionedStore<{ challenge: string }>,
    @Inject(ISSUER_CONFIG) private readonly config: IssuerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly signer: TokenSigner,
  ) {}

  async authorize(request: AuthorizeRequest, context: RequestContext): Promise<AuthorizeResult> {
    const query: Query = typeof request?.query === 'object' && request.query !== null ? request.query : {};
    const tenant = String(request?.tenant ?? '');
    // Until the client and its redirect URI are known good, errors are shown, never redirected.
    const clientId = query.client_id;
    if (typeof clientId !== 'string' || clientId === '') return this.errorPage('invalid_request', "The 'client_id' parameter is required");
    const client = await this.clients.find(clientId, context);
    if (!client || client.tenant !== tenant) return this.errorPage('invalid_client', 'Unknown client');
    const requestedRedirect = query.redirect_uri;
    if (Array.isArray(requestedRedirect)) return this.errorPage('invalid_request', "The 'redirect_uri' parameter must not be repeated");
    const redirectUri = requestedRedirect ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return this.errorPage('invalid_request', "The 'redirect_uri' is missing or not registered for this client (it must match exactly)");
    }
    const oauthState = Array.isArray(query.state) ? undefined : query.state;
    const iss = this.issuerUrl(tenant);
    try {
      for (const [name, value] of Object.entries(query)) {
        if (Array.isArray(value)) throw new RedirectableError('invalid_request', `Parameter '${name}' must not be repeated`);
      }
      if (single(query, 'response_type') !== 'code') throw new RedirectableError('unsupported_response_type', "Only response_type 'code' is supported");
      if (!client.grantTypes.includes('authorization_code')) throw new RedirectableError('unauthorized_client', 'Client is not allowed the authorization_code grant');
      const codeChallenge = single(query, 'code_challenge');
      if (!codeChallenge) throw new RedirectableError('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
      if (single(query, 'code_challenge_method') !== 'S256') throw new RedirectableError('invalid_request', "code_challenge_method must be 'S256'");
      if (!PKCE_PATTERN.test(codeChallenge)) throw new RedirectableError('invalid_request', 'code_challenge must be 43–128 characters of A–Z a–z 0–9 - . _ ~');
      let scopes: string[];
      let audience: string | null;
      try {
        scopes = grantedScopes(client, single(query, 'scope'));
        const requestedAudience = single(query, 'audience');
        audience = requestedAudience === undefined ? null : (grantedAudience(client, requestedAudience) as string);
      } catch (error) {
        if (error instanceof RoomkeyError) throw new RedirectableError(error.code, error.message);
        throw error;
      }
      const { tenant: tenantView } = await this.keyrings.forTenant(tenant, context);
      if (!tenantView.loginUrl) throw new RedirectableError('server_error', 'The tenant has no login URL configured');
      const now = this.clock.now();
      const challenge = randomToken(32);
      await this.loginRequests.create(challenge, {
        challenge,
        tenant,
        clientId: client.clientId,
        redirectUri,
        codeChallenge,
        scopes,
        audience,
        oauthState: oauthState ?? null,
        state: 'created',
        createdAt: now,
        expiresAt: now + this.config.loginRequestTtlSeconds * 1000,
      });
      return { redirectTo: withParams(tenantView.loginUrl, { login_challenge: challenge }) };
    } catch (error) {
      if (!(error instanceof RedirectableError)) throw error;
      return { redirectTo: withParams(redirectUri, { error: error.error, error_description: error.message, state: oauthState, iss }) };
    }
  }

  /**
   * The challenge's request, for a production API key of its tenant; a login app's body is
   * validated only after this (a stranger learns nothing from a 400).
   */
  async open(caller: ApiCaller, challenge: string, context: RequestContext): Promise<OpenLoginRequest> {
    const credential = await this.apiKeys.authenticate(caller, context);
    if (credential.environment !== 'production') throw new ForbiddenError('Login requests are handled with a production API key');
    const found = CHALLENGE_PATTERN.test(challenge) ? await this.loginRequests.get(challenge) : null;
    if (!found || found.value.tenant !== credential.tenant) throw new NotFoundError('Login request not found');
    if (this.clock.now() > found.value.expiresAt) throw new GoneError('Login request has expired');
    return { request: found.value, revision: found.revision, context };
  }

  view({ request }: OpenLoginRequest): LoginRequestView {
    return {
      challenge: request.challenge,
      tenant: request.tenant,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      requestedScope: request.scopes,
      requestedAudience: request.audience,
      state: request.state,
      expiresAt: new Date(request.expiresAt).toISOString(),
    };
  }

  /** The user is authenticated: issue a single-use code bound to client, redirect URI and PKCE challenge. */
  async accept({ request, revision, context }: OpenLoginRequest, command: AcceptLoginRequestBody): Promise<LoginRequestRedirect> {
    const { subject } = command;
    if (subject === ANONYMOUS_SUBJECT) {
      throw new InvalidRequestError(`Field 'subject' may not be '${ANONYMOUS_SUBJECT}', which marks anonymous tokens`, 'subject');
    }
    const role = command.role ?? undefined;
    const rooms = command.rooms ? [...new Set(command.rooms)] : undefined;
    const code = randomToken(32);
    const codeHash = tokenHash(code);
    const now = this.clock.now();
    const metadata = parseTokenMetadata(command.metadata);
    // A claim profile: the token endpoint answers with that platform's token; what it would refuse is refused now.
    const profile = command.profile && command.profile !== 'roomkey' ? command.profile : undefined;
    if (profile) await this.signer.checkProfile(request.tenant, userToken({ subject, clientId: request.clientId, role, rooms, metadata }), profile, context);
    const accepted = transition(request, 'accepted', {
      subject,
      ...(role ? { role } : {}),
      ...(rooms ? { rooms } : {}),
      ...(metadata ? { metadata } : {}),
      ...(profile ? { profile } : {}),
    });
    const issued = transition(accepted, 'code_issued', { codeHash, codeExpiresAt: now + AUTHORIZATION_CODE_TTL_MS });
    await this.save(request.challenge, issued, revision);
    await this.codes.create(codeHash, { challenge: request.challenge });
    errorLog.write('info', `Login request of client ${request.clientId} accepted; code issued`, {}, context);
    return { redirectTo: withParams(request.redirectUri, { code, state: request.oauthState, iss: this.issuerUrl(request.tenant) }) };
  }

  async reject({ request, revision }: OpenLoginRequest, command: RejectLoginRequestBody): Promise<LoginRequestRedirect> {
    const { error } = command;
    const description = command.error_description ?? undefined;
    await this.save(request.challenge, transition(request, 'rejected'), revision);
    return {
      redirectTo: withParams(request.redirectUri, { error, error_description: description, state: request.oauthState, iss: this.issuerUrl(request.tenant) }),
    };
  }

  private async save(challenge: string, request: LoginRequest, revision: number): Promise<void> {
    if (!(await this.loginRequests.update(challenge, request, revision))) {
      throw new ConflictError('The login request was changed by another request; load it again');
    }
  }

  private errorPage(error: string, description: string): AuthorizeResult {
    return { errorPage: { error, error_description: description } };
  }

  private issuerUrl(tenant: string): string {
    return issuerUrl(this.config.publicUrl, tenant);
  }
}
