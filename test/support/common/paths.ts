import path from 'node:path';

/** The project's root folder (where package.json is), wherever the test file sits. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');

/** The icons the tray and the installers use. */
export const RESOURCES = path.join(PROJECT_ROOT, 'resources');
