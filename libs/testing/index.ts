/**
 * Test doubles shared by the services' unit tests: one clock, one event sink, one rate limiter,
 * one versioned store. Service-specific fakes (a key directory, an issuer, the keys store) stay in
 * each service's `testing/` folder.
 */
export * from './clock';
export * from './event-sink';
export * from './rate-limiter';
export * from './versioned-store';
