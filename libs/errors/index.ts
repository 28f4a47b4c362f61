export * from './errors';
export * from './wire';
