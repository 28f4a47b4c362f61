export * from './errors';
export * from './wire';
export * from './log';
export * from './logger';
