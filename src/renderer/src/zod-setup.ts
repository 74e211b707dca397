import { z } from 'zod';

// The page's CSP allows no eval: zod's compiled parsers would only get a violation report for trying.
// Imported first by main.tsx, since object schemas decide this when they are built.
z.config({ jitless: true });
