/** Builds the identity service's flows by hand over in-memory fakes (no Nest container, no NATS). */
import type { IdentityConfig } from '@roomkey/config';
import { KeyAccess } from '../access/key-access';
import { AnonymousService } from '../anonymous/anonymous.service';
import { IdentityEvents } from '../events/identity-events';
import { GuestService } from '../guests/guest.service';
import { InviteService } from '../invites/invite.service';
import { FakeClock, InMemoryRateLimiter, InMemoryVersionedStore, RecordingEventSink } from '@roomkey/testing';
import type { InviteRecord } from '../ports';
import { FakeIssuer, tenantView } from './identity-fakes';

export const KIT_START = Date.UTC(2026, 0, 1);

export const PROD = { apiKey: 'rk_prod_acme', secret: 'prod-secret' } as const;
export const DEV = { apiKey: 'rk_dev_acme', secret: 'dev-secret' } as const;
/** A key of a tenant whose guest and anonymous switches are both on. */
export const OPEN = { apiKey: 'rk_prod_open', secret: 'open-secret' } as const;

export function createIdentityTestKit(limits: Partial<Pick<IdentityConfig, 'guestRateLimitPerAddress' | 'guestRateLimitPerTenant'>> = {}) {
  const clock = new FakeClock(KIT_START);
  const issuer = new FakeIssuer(clock);
  const store = new InMemoryVersionedStore<InviteRecord>();
  const limiter = new InMemoryRateLimiter(clock);
  const sink = new RecordingEventSink();
  const config = { guestRateLimitPerAddress: 3, guestRateLimitPerTenant: 5, ...limits };
  issuer.addKey(PROD.apiKey, { secret: PROD.secret, environment: 'production', tenant: tenantView('acme') });
  issuer.addKey(DEV.apiKey, { secret: DEV.secret, environment: 'development', tenant: tenantView('acme') });
  issuer.addKey(OPEN.apiKey, { secret: OPEN.secret, environment: 'production', tenant: tenantView('open', { guestAccess: true, anonymousAccess: true }) });

  const access = new KeyAccess(issuer, limiter, config);
  const events = new IdentityEvents(sink);
  const guests = new GuestService(access, issuer, events);
  const anonymous = new AnonymousService(access, issuer);
  const invites = new InviteService(issuer, store, clock, events);
  return { clock, issuer, store, limiter, sink, config, access, events, guests, anonymous, invites };
}

export type IdentityTestKit = ReturnType<typeof createIdentityTestKit>;
