/**
 * The authorization-code flow's state machine and its time limits, on the real services with
 * in-memory stores and a fake clock (the integration suite covers the rest over NATS).
 */
import type { ClientCredentialRecord } from '@roomkey/contracts';
import { ConflictError, GoneError, InvalidGrantError } from '@roomkey/errors';
import { ClientCache } from '../client-cache';
import { AuthorizationCodeGrant } from '../grants/authorization-code.grant';
import { TokenRevoker } from '../../revocation/token-revoker';
import { createIssuerTestKit, type IssuerTestKit } from '../../testing/fake-key-directory';
import { AuthorizationHandlers } from './authorization.handlers';
import { AuthorizationService } from './authorization.service';
import { LOGIN_REQUEST_TRANSITIONS, LoginRequestTransitionError, canTransition, transition, type LoginRequest, type LoginRequestState } from './login-request';
import { s256 } from './pkce';
import { RefreshTokenService, type RefreshTokenRecord, type TokenFamily } from './refresh-tokens';
import { InMemoryVersionedStore, RecordingEventSink } from '@roomkey/testing';
import { NO_REQUEST } from '@roomkey/nats';

const STATES = Object.keys(LOGIN_REQUEST_TRANSITIONS) as LoginRequestState[];
const REDIRECT = 'https://app.test/cb';
const VERIFIER = 'v'.repeat(43);

describe('login request state machine', () => {
  const base: LoginRequest = {
    challenge: 'c',
    tenant: 'acme',
    clientId: 'rkc_x',
    redirectUri: REDIRECT,
    codeChallenge: s256(VERIFIER),
    scopes: [],
    audience: null,
    oauthState: null,
    state: 'created',
    createdAt: 0,
    expiresAt: 1,
  };

  it.each(STATES.flatMap((from) => STATES.map((to) => [from, to] as const)))('%s → %s is allowed only when the table says so', (from, to) => {
    const allowed = LOGIN_REQUEST_TRANSITIONS[from].includes(to);
    expect(canTransition(from, to)).toBe(allowed);
    const attempt = () => transition({ ...base, state: from }, to);
    if (allowed) expect(attempt().state).toBe(to);
    else expect(attempt).toThrow(LoginRequestTransitionError);
  });

  it('refuses a second accept or a reject after accepting, as a 409 conflict', () => {
    const accepted = transition(base, 'accepted', { subject: 'alice' });
    expect(() => transition(accepted, 'rejected')).toThrow(ConflictError);
    expect(() => transition(accepted, 'accepted')).toThrow(ConflictError);
  });
});

describe('authorization code timing', () => {
  let kit: IssuerTestKit;
  let service: AuthorizationService;
  let grant: AuthorizationCodeGrant;
  let client: ClientCredentialRecord;
  let prod: { apiKey: string; secret: string };
  let events: RecordingEventSink;

  beforeEach(async () => {
    kit = createIssuerTestKit(Date.UTC(2026, 0, 1));
    await kit.directory.addTenant('acme');
    kit.directory.tenants.get('acme')!.view.loginUrl = 'https://login.test/';
    prod = kit.directory.addApiKey('acme', 'production');
    client = {
      clientId: 'rkc_spa',
      tenant: 'acme',
      public: true,
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [REDIRECT],
      audiences: ['roomkey'],
      scopes: ['rooms'],
      accessTokenTtl: 600,
      secrets: [],
      revoked: false,
    };
    kit.directory.clients.set(client.clientId, client);
    const clients = new ClientCache(kit.directory, kit.hasher, kit.clock);
    const loginRequests = new InMemoryVersionedStore<LoginRequest>();
    const codes = new InMemoryVersionedStore<{ challenge: string }>();
    events = new RecordingEventSink();
    const revoker = new TokenRevoker(kit.revocations, events);
    const refreshTokens = new RefreshTokenService(new InMemoryVersionedStore<RefreshTokenRecord>(), new InMemoryVersionedStore<TokenFamily>(), revoker, kit.config, kit.clock);
    service = new AuthorizationService(clients, kit.apiKeys, kit.keyrings, loginRequests, codes, kit.config, kit.clock, kit.signer);
    grant = new AuthorizationCodeGrant(kit.signer, refreshTokens, revoker, loginRequests, codes, kit.clock);
  });

  async function loginChallenge(): Promise<string> {
    const result = await service.authorize({
      tenant: 'acme',
      query: { client_id: client.clientId, response_type: 'code', redirect_uri: REDIRECT, code_challenge: s256(VERIFIER), code_challenge_method: 'S256', state: 's' },
    }, NO_REQUEST);
    if (!('redirectTo' in result)) throw new Error('expected a redirect');
    return new URL(result.redirectTo).searchParams.get('login_challenge')!;
  }

  async function codeFor(challenge: string): Promise<string> {
    const { redirectTo } = await new AuthorizationHandlers(service).accept({ challenge, ...prod, body: { subject: 'alice', role: 'GUEST' } }, NO_REQUEST);
    return new URL(redirectTo).searchParams.get('code')!;
  }

  const exchange = (code: string) =>
    grant.exchange({ client, tenant: 'acme', params: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, request: NO_REQUEST });

  it('accepts a code within 60 s', async () => {
    const code = await codeFor(await loginChallenge());
    kit.clock.advance(59_000);
    await expect(exchange(code)).resolves.toMatchObject({ token_type: 'Bearer', expires_in: 600 });
  });

  it('refuses a code older than 60 s with invalid_grant', async () => {
    const code = await codeFor(await loginChallenge());
    kit.clock.advance(61_000);
    await expect(exchange(code)).rejects.toThrow(InvalidGrantError);
  });

  it('answers 410 for a login request past its lifetime', async () => {
    const challenge = await loginChallenge();
    kit.clock.advance(kit.config.loginRequestTtlSeconds * 1000 + 1);
    await expect(new AuthorizationHandlers(service).get({ challenge, ...prod }, NO_REQUEST)).rejects.toThrow(GoneError);
    await expect(new AuthorizationHandlers(service).accept({ challenge, ...prod, body: { subject: 'alice' } }, NO_REQUEST)).rejects.toThrow(GoneError);
  });

  it('revokes the first exchange’s tokens when the code comes back, and says so in an event', async () => {
    const code = await codeFor(await loginChallenge());
    const first = await exchange(code);
    await expect(exchange(code)).rejects.toThrow('already used');
    const { jti } = JSON.parse(Buffer.from(first.access_token.split('.')[1], 'base64url').toString());
    expect(kit.revocations.isRevoked('acme', jti)).toBe(true);
    expect(events.events).toContainEqual(expect.objectContaining({ type: 'token.revoked', fields: expect.objectContaining({ jti }) }));
  });
});
