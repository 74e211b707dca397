/** The HTTP API's contracts, one module per domain; `routes.ts` ties them to the paths. */
export * from './states.js';
export * from './common.js';
export * from './errors.js';
export * from './messages.js';
export * from './classic.js';
export * from './accounts.js';
export * from './captured.js';
export * from './captured-read.js';
export * from './captured-search.js';
export * from './settings.js';
export * from './stats.js';
export * from './send.js';
export * from './events.js';
export * from './tenants.js';
export * from './tenant-views.js';
export * from './routes.js';
export * from './captured-tools.js';
