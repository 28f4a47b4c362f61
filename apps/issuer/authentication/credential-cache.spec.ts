import { Logger } from '@nestjs/common';
import { UnauthorizedError } from '@roomkey/errors';
import { createIssuerTestKit } from '../testing/fake-key-directory';
import { MAX_API_KEY_USES_PER_REPORT } from '@roomkey/contracts';
import { ApiKeyUsage, USE_REPORT_DELAY_MS, USE_REPORT_INTERVAL_MS } from './api-key-usage';
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

  it('reports a key’s use at most once a minute, many keys to a report', async () => {
    const kit = createIssuerTestKit(START);
    const reports: Array<Array<{ apiKey: string; usedAt: number }>> = [];
    const directory = { ...kit.directory, reportApiKeyUses: async (uses: ReadonlyArray<{ apiKey: string; usedAt: number }>) => void reports.push([...uses]) };
    const usage = new ApiKeyUsage(directory as never, kit.clock);
    usage.used('rk_prod_a');
    usage.used('rk_prod_a');
    usage.used('rk_prod_b');
    expect(reports).toEqual([]);
    await usage.flush();
    kit.clock.advance(USE_REPORT_INTERVAL_MS - 1);
    usage.used('rk_prod_a');
    await usage.flush();
    kit.clock.advance(1);
    usage.used('rk_prod_a');
    await usage.flush();
    expect(reports).toEqual([
      [
        { apiKey: 'rk_prod_a', usedAt: START },
        { apiKey: 'rk_prod_b', usedAt: START },
      ],
      [{ apiKey: 'rk_prod_a', usedAt: START + USE_REPORT_INTERVAL_MS }],
    ]);
  });

  it('sends the gathered uses by itself after a second, in reports of at most 500 keys', async () => {
    jest.useFakeTimers();
    try {
      const kit = createIssuerTestKit(START);
      const reports: number[] = [];
      const directory = { ...kit.directory, reportApiKeyUses: async (uses: ReadonlyArray<unknown>) => void reports.push(uses.length) };
      const usage = new ApiKeyUsage(directory as never, kit.clock);
      for (let i = 0; i < MAX_API_KEY_USES_PER_REPORT + 1; i++) usage.used(`rk_prod_${i}`);
      await jest.advanceTimersByTimeAsync(USE_REPORT_DELAY_MS - 1);
      expect(reports).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(reports).toEqual([MAX_API_KEY_USES_PER_REPORT, 1]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps going when a report fails', async () => {
    const kit = createIssuerTestKit(START);
    let calls = 0;
    const failing = {
      ...kit.directory,
      reportApiKeyUses: async () => {
        calls++;
        throw new Error('keys away');
      },
    };
    const usage = new ApiKeyUsage(failing as never, kit.clock);
    usage.used('rk_prod_a');
    await expect(usage.flush()).resolves.toBeUndefined();
    usage.used('rk_prod_b');
    await usage.flush();
    expect(calls).toBe(2);
  });
});
