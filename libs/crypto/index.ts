export * from './master-key';
export * from './jws-signer';
export * from './webhook-signature';
