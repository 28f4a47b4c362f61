export * from './master-key';
export * from './jws-signer';
