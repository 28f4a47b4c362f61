export * from './errors';
export * from './compact-jws';
export * from './keys';
export * from './revocation';
export * from './local-verifier';
