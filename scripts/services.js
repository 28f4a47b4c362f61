// The services `npm start` runs (and the benchmark starts the same way), and the Node.js flags each
// one gets. Plain Node: no dependencies.
'use strict';

const SERVICES = ['keys', 'issuer', 'identity', 'gateway'];

/**
 * V8 sizes its heap for throughput on a 24 GB machine: a 32 MB young generation, and an old
 * generation allowed to grow to several times what is live before a major collection. Garbage, not
 * live data, then sets the peak RSS (npm run bench, 10,000 tenants: the issuer at 270-285 MB with
 * 60-70 MB live heap).
 * - gateway: no per-tenant state (a live heap of ~25 MB); a 128 MB old-space limit keeps it near
 *   130 MB at the same throughput.
 * - issuer and keys hold per-tenant state, so an old-space limit would be a crash point that depends
 *   on the number of tenants. Instead the old generation grows by 25 % of what is live after each
 *   major collection, and the young generation stops at 2 × 4 MB: with 10,000 tenants the issuer
 *   peaked at ~205 MB instead of ~285 and the keys service at 139 MB instead of 190, at the same
 *   tokens/s (scratch runs, bench layout).
 */
const LEAN_HEAP = ['--max-semi-space-size=4', '--heap-growing-percent=25'];
const NODE_FLAGS = {
  gateway: ['--max-old-space-size=128'],
  issuer: LEAN_HEAP,
  keys: LEAN_HEAP,
};

/** ROOMKEY_SERVICE_NODE_ARGS: more flags for every service, e.g. `--cpu-prof --cpu-prof-dir=DIR` (refused in NODE_OPTIONS). */
function serviceNodeArgs(service, env = process.env) {
  const extra = (env.ROOMKEY_SERVICE_NODE_ARGS || '').split(/\s+/).filter(Boolean);
  return [...(NODE_FLAGS[service] ?? []), ...extra];
}

module.exports = { SERVICES, serviceNodeArgs };
