export * from './roles';
export * from './validation';
export * from './claims';
export * from './lifetimes';
export * from './events';
export * from './messages';
export * from './subjects';
export * from './oauth';
