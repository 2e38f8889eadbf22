export * from './counter';
export * from './plans';
