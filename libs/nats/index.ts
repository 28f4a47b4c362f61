export * from './connection';
export * from './rpc-client';
export * from './plain-json.transport';
export * from './events';
export * from './nest';
export * from './run-service';
export * from './rate-limiter';
export * from './versioned-store';
