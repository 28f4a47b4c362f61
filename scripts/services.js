// The services `npm start` runs (and the benchmark starts the same way), and the Node.js flags each
// one gets. Plain Node: no dependencies.
'use strict';

const SERVICES = ['keys', 'issuer', 'identity', 'gateway'];

/**
 * The gateway keeps no per-tenant state (a live heap of ~25 MB), yet with V8's default old-space
 * limit garbage piles up to ~200 MB RSS under load before a major collection; a 128 MB limit keeps
 * it near 130 MB at the same throughput (npm run bench). The issuer and keys hold per-tenant state,
 * so they keep the default limit.
 */
const NODE_FLAGS = {
  gateway: ['--max-old-space-size=128'],
};

/** ROOMKEY_SERVICE_NODE_ARGS: more flags for every service, e.g. `--cpu-prof --cpu-prof-dir=DIR` (refused in NODE_OPTIONS). */
function serviceNodeArgs(service, env = process.env) {
  const extra = (env.ROOMKEY_SERVICE_NODE_ARGS || '').split(/\s+/).filter(Boolean);
  return [...(NODE_FLAGS[service] ?? []), ...extra];
}

module.exports = { SERVICES, serviceNodeArgs };
