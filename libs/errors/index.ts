export * from './errors';
export * from './wire';
export * from './log';
