import { readiness } from './health.controller';

describe('readiness per capability', () => {
  const all = { keys: true, issuer: true, identity: true };

  it('is ok when everything answers', () => {
    expect(readiness(true, all)).toEqual({ status: 'ok', checks: { nats: 'ok', issuance: 'ok', admin: 'ok', identity: 'ok' }, message: undefined });
  });

  it('is degraded, still ready, without the keys service: issuance from the caches, no admin', () => {
    const answer = readiness(true, { ...all, keys: false });
    expect(answer.status).toBe('degraded');
    expect(answer.checks).toEqual({ nats: 'ok', issuance: 'degraded', admin: 'down', identity: 'degraded' });
    expect(answer.message).toMatch(/keys service/);
  });

  it('is down without an issuer or without NATS', () => {
    expect(readiness(true, { ...all, issuer: false }).status).toBe('down');
    expect(readiness(false, all)).toMatchObject({ status: 'down', checks: { nats: 'down', issuance: 'down', admin: 'down', identity: 'down' } });
  });
});
