import { Logger } from '@nestjs/common';
import { UnauthorizedError } from '@roomkey/errors';
import { createIssuerTestKit } from '../testing/fake-key-directory';
import { ApiKeyUsage, USE_REPORT_INTERVAL_MS } from './api-key-usage';
import { NO_REQUEST } from '@roomkey/nats';

Logger.overrideLogger(false);

const START = Date.UTC(2026, 0, 1);

describe('CredentialCache after a rotation, and ApiKeyUsage', () => {
  it('accepts the previous secret until its deadline, then only the new one', async () => {
    const kit = createIssuerTestKit(START);
    await kit.directory.addTenant('acme');
    const { apiKey, secret: old } = kit.directory.addApiKey('acme', 'production');
    const record = kit.directory.credentials.get(apiKey)!;
    kit.directory.credentials.set(apiKey, { ...record, secretHash: kit.hasher.hash('new-secret'), previousSecret: { hash: record.secretHash, validUntil: START + 2000 } });
    kit.credentials.invalidate(apiKey);

    await expect(kit.credentials.authenticate({ apiKey, secret: 'new-secret' }, NO_REQUEST)).resolves.toMatchObject({ apiKey });
    await expect(kit.credentials.authenticate({ apiKey, secret: old }, NO_REQUEST)).resolves.toMatchObject({ apiKey });
    kit.clock.advance(2000);
    await expect(kit.credentials.authenticate({ apiKey, secret: old }, NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(kit.credentials.authenticate({ apiKey, secret: 'new-secret' }, NO_REQUEST)).resolves.toMatchObject({ apiKey });
  });

  it('reports a key’s use at most once a minute', async () => {
    const kit = createIssuerTestKit(START);
    const reports: Array<[string, number]> = [];
    const directory = { ...kit.directory, reportApiKeyUse: async (apiKey: string, usedAt: number) => void reports.push([apiKey, usedAt]) };
    const usage = new ApiKeyUsage(directory as never, kit.clock);
    usage.used('rk_prod_a');
    usage.used('rk_prod_a');
    usage.used('rk_prod_b');
    kit.clock.advance(USE_REPORT_INTERVAL_MS - 1);
    usage.used('rk_prod_a');
    kit.clock.advance(1);
    usage.used('rk_prod_a');
    expect(reports).toEqual([
      ['rk_prod_a', START],
      ['rk_prod_b', START],
      ['rk_prod_a', START + USE_REPORT_INTERVAL_MS],
    ]);
  });
});
