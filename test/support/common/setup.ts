import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

// runs after the test file's own afterAll hooks (hooks run as a stack), once its relays are stopped
afterAll(() => removeTempDirs());
