/**
 * RFC 8693 token exchange end to end: openid-client 6 as the client, the real services on NATS and
 * a real database; exchanged tokens verified against the tenant's JWKS with jose. The result is
 * never wider than the subject token, names the client as its actor, and the subject must be a valid
 * token of the same tenant.
 */
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const AUDIENCE = 'https://media.acme.test';

type Credentials = { apiKey: string; secret: string };
type Client = { clientId: string; clientSecret: string };

describe.each(testDatabases())('Token exchange (RFC 8693) (%s)', (database) => {
  let system: RoomkeySystem;
  let production: Credentials;
  let foreign: Credentials;
  let exchanger: Client;
  let relay: Client;
  let machine: Client;
  const issuer = () => `${system.baseUrl}/realms/acme`;

  beforeAll(async () => {
    system = await startSystem({ database });
    await admin(system).createTenant('acme');
    await admin(system).createTenant('other');
    production = await admin(system).createApiKey('acme');
    foreign = await admin(system).createApiKey('other');
    const client = async (body: Record<string, unknown>): Promise<Client> => {
      const answer = await admin(system).call('POST', '/admin/tenants/acme/clients', body);
      expect(answer.status).toBe(201);
      return answer.body;
    };
    exchanger = await client({ grantTypes: [EXCHANGE], audiences: [AUDIENCE] });
    relay = await client({ grantTypes: [EXCHANGE] });
    machine = await client({ grantTypes: ['client_credentials'] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const configFor = (client: Client) => oidc.discovery(new URL(issuer()), client.clientId, client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
  const exchange = async (subjectToken: string, extra: Array<[string, string]> = [], client: Client = exchanger) => {
    const params = new URLSearchParams([['subject_token', subjectToken], ['subject_token_type', ACCESS_TOKEN], ...extra]);
    return oidc.genericGrantRequest(await configFor(client), EXCHANGE, params);
  };
  const refused = async (subjectToken: string, extra: Array<[string, string]> = [], client: Client = exchanger): Promise<string> => {
    try {
      await exchange(subjectToken, extra, client);
    } catch (error) {
      return (error as { error?: string }).error ?? String(error);
    }
    throw new Error('the exchange was not refused');
  };
  const jwks = () => createRemoteJWKSet(new URL(`${issuer()}/protocol/openid-connect/certs`));
  const verify = async (token: string) => (await jwtVerify(token, jwks(), { issuer: issuer(), typ: 'at+jwt' })).payload;
  const userToken = async (body: Record<string, unknown>, key: Credentials = production): Promise<string> => {
    const answer = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'alice', role: 'HOST', ...body }, basic: key });
    expect(answer.status).toBe(201);
    return answer.body.accessToken;
  };

  it('is advertised in both discovery documents', async () => {
    const oidcDocument = await http(system, 'GET', '/realms/acme/.well-known/openid-configuration');
    const rfc8414 = await http(system, 'GET', '/.well-known/oauth-authorization-server/realms/acme');
    expect(oidcDocument.body.grant_types_supported).toContain(EXCHANGE);
    expect(rfc8414.body.grant_types_supported).toContain(EXCHANGE);
  });

  it('openid-client exchanges a roomkey token; the result verifies against the JWKS with act naming the client', async () => {
    const subject = await userToken({ rooms: ['stage', 'lobby'], ttlSeconds: 600, name: 'Alice' });
    const tokens = await exchange(subject, [['requested_token_type', ACCESS_TOKEN]]);
    expect(tokens).toMatchObject({ token_type: 'bearer', issued_token_type: ACCESS_TOKEN });
    expect(tokens.refresh_token).toBeUndefined();
    const claims = await verify(tokens.access_token);
    const original = decodeJwt(subject);
    expect(claims).toMatchObject({ sub: 'alice', tid: 'acme', role: 'HOST', rooms: ['stage', 'lobby'], name: 'Alice', client_id: exchanger.clientId, act: { sub: exchanger.clientId } });
    expect(claims.jti).not.toBe(original.jti);
    expect(claims.exp!).toBeLessThanOrEqual(original.exp!);
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
  });

  it('narrows: a lower role, fewer rooms, a client audience; the subject’s expiry bounds the result', async () => {
    const subject = await userToken({ rooms: ['stage', 'lobby'], ttlSeconds: 120 });
    const tokens = await exchange(subject, [['role', 'GUEST'], ['resource', 'stage'], ['audience', AUDIENCE]], exchanger);
    const claims = await verify(tokens.access_token);
    expect(claims).toMatchObject({ role: 'GUEST', rooms: ['stage'], aud: AUDIENCE, perms: ['live:read', 'layout:read', 'webrtc:join'] });
    expect(claims.exp!).toBeLessThanOrEqual(decodeJwt(subject).exp!);
    const two = await verify((await exchange(subject, [['resource', 'stage'], ['resource', 'lobby']])).access_token);
    expect(two.rooms).toEqual(['stage', 'lobby']);
  });

  it('refuses anything wider than the subject: invalid_target for rooms and audiences, invalid_scope for role and scope', async () => {
    const subject = await userToken({ role: 'GUEST', rooms: ['stage'] });
    expect(await refused(subject, [['resource', 'backstage']])).toBe('invalid_target');
    expect(await refused(subject, [['resource', 'not a room']])).toBe('invalid_target');
    expect(await refused(subject, [['audience', 'https://elsewhere.test']])).toBe('invalid_target');
    expect(await refused(subject, [['role', 'HOST']])).toBe('invalid_scope');
    expect(await refused(subject, [['scope', 'admin']])).toBe('invalid_scope');
  });

  it('nests the earlier actor when an exchanged token is exchanged again (RFC 8693 §4.1)', async () => {
    const first = await exchange(await userToken({ rooms: ['stage'] }));
    const second = await exchange(first.access_token, [], relay);
    expect((await verify(second.access_token)).act).toEqual({ sub: relay.clientId, act: { sub: exchanger.clientId } });
  });

  it('takes a partner-signed HS256 token (jwt token type) for the role its permissions hold', async () => {
    const partner = await new SignJWT({ apikey: production.apiKey, permissions: ['allow_join'], version: 2, roomId: 'stage', participantId: 'pat', roles: ['rtc'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(production.secret));
    const params = new URLSearchParams({ subject_token: partner, subject_token_type: JWT_TYPE });
    const tokens = await oidc.genericGrantRequest(await configFor(exchanger), EXCHANGE, params);
    expect(await verify(tokens.access_token)).toMatchObject({ sub: 'pat', role: 'GUEST', rooms: ['stage'], act: { sub: exchanger.clientId } });
  });

  it('refuses invalid, expired, revoked and foreign subject tokens with invalid_request', async () => {
    expect(await refused('not-a-token')).toBe('invalid_request');
    expect(await refused(await userToken({ rooms: ['stage'] }, foreign))).toBe('invalid_request');
    const tampered = await userToken({ rooms: ['stage'] });
    expect(await refused(`${tampered.slice(0, -4)}AAAA`)).toBe('invalid_request');

    const revoked = await userToken({ rooms: ['stage'] });
    expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: production, body: { token: revoked } })).status).toBe(200);
    await eventually(async () => (await refused(revoked).catch(() => '')) === 'invalid_request', 2000);

    const shortLived = await userToken({ rooms: ['stage'], ttlSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100 + 1000));
    expect(await refused(shortLived)).toBe('invalid_request');

    const params = new URLSearchParams({ subject_token: await userToken({}), subject_token_type: 'urn:example:saml' });
    await expect(oidc.genericGrantRequest(await configFor(exchanger), EXCHANGE, params)).rejects.toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a client whose grantTypes lack the grant (unauthorized_client); admin create and patch accept the grant', async () => {
    expect(await refused(await userToken({ rooms: ['stage'] }), [], machine)).toBe('unauthorized_client');
    const patched = await admin(system).call('PATCH', `/admin/tenants/acme/clients/${machine.clientId}`, { grantTypes: ['client_credentials', EXCHANGE] });
    expect(patched.status).toBe(200);
    expect(patched.body.grantTypes).toContain(EXCHANGE);
    await eventually(async () => {
      try {
        await exchange(await userToken({ rooms: ['stage'] }), [], machine);
        return true;
      } catch {
        return false;
      }
    }, 5000);
    const publicClient = await admin(system).call('POST', '/admin/tenants/acme/clients', { public: true, grantTypes: [EXCHANGE], redirectUris: ['https://app.test/cb'] });
    expect(publicClient.status).toBe(400);
    expect(publicClient.body.message).toContain('grantTypes');
  });
});
