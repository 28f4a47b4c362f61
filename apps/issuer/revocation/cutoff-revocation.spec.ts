import { InvalidRequestError, InvalidTokenError } from '@roomkey/errors';
import { decodeJwt } from 'jose';
import { RecordingEventSink } from '@roomkey/testing';
import { AccessTokenHandlers } from '../access-tokens/access-token.handlers';
import { createIssuerTestKit, type IssuerTestKit } from '../testing/fake-key-directory';
import { CutoffRevocationService } from './cutoff-revocation.service';
import { NO_REQUEST } from '@roomkey/nats';

const START = Date.UTC(2026, 2, 1, 12, 0, 0, 250);

describe('revocation by user and by tenant', () => {
  let kit: IssuerTestKit;
  let events: RecordingEventSink;
  let service: CutoffRevocationService;
  let key: { apiKey: string; secret: string };
  const mint = async (userId: string) =>
    (await new AccessTokenHandlers(kit.accessTokens).create({ ...key, userId, role: 'GUEST' }, NO_REQUEST)).accessToken;
  const accepted = (token: string) => kit.verifier.verify('acme', token, NO_REQUEST).then(() => true, (e: unknown) => (e instanceof InvalidTokenError ? false : Promise.reject(e)));

  beforeEach(async () => {
    kit = createIssuerTestKit(START);
    await kit.directory.addTenant('acme');
    key = kit.directory.addApiKey('acme', 'production');
    events = new RecordingEventSink();
    service = new CutoffRevocationService(kit.cutoffs, events, kit.clock, kit.keyrings);
  });

  it('refuses the user’s earlier tokens only; a token made in the same second after the cut-off gets an iat that passes', async () => {
    const before = await mint('carol');
    const other = await mint('dave');
    kit.clock.advance(300);
    const answer = await service.revokeUser('acme', 'carol', undefined, NO_REQUEST);
    expect(answer).toEqual({ userId: 'carol', issuedBefore: new Date(START + 300).toISOString() });
    expect(await accepted(before)).toBe(false);
    expect(await accepted(other)).toBe(true);
    kit.clock.advance(100);
    const after = await mint('carol');
    expect(decodeJwt(after).iat).toBe(Math.ceil((START + 300) / 1000));
    expect(await accepted(after)).toBe(true);
    expect(events.events).toEqual([expect.objectContaining({ tenant: 'acme', type: 'tokens.revoked-before', fields: { userId: 'carol', issuedBefore: answer.issuedBefore } })]);
  });

  it('refuses every earlier token of the tenant; an earlier cut-off changes nothing', async () => {
    const tokens = [await mint('a'), await mint('b')];
    kit.clock.advance(1500);
    await service.revokeTenant('acme', undefined, NO_REQUEST);
    for (const token of tokens) expect(await accepted(token)).toBe(false);
    await service.revokeTenant('acme', new Date(START - 3_600_000).toISOString(), NO_REQUEST);
    for (const token of tokens) expect(await accepted(token)).toBe(false);
    expect(await accepted(await mint('a'))).toBe(true);
  });

  it('refuses a cut-off in the future, and takes one within the clock tolerance as now', async () => {
    await expect(service.revokeUser('acme', 'carol', new Date(START + 60_000).toISOString(), NO_REQUEST)).rejects.toThrow(InvalidRequestError);
    const near = await service.revokeUser('acme', 'carol', new Date(START + 10_000).toISOString(), NO_REQUEST);
    expect(near.issuedBefore).toBe(new Date(START).toISOString());
  });
});
