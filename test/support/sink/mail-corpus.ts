import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../common/paths.js';

/** Real-world mail shapes written as fixtures (see test/fixtures/mail/README.md). */
export const MAIL_CORPUS_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'mail');

export interface CorpusMessage {
  name: string;
  raw: Buffer;
}

/** Every message of the corpus, by file name, bytes exactly as stored. */
export function mailCorpus(): CorpusMessage[] {
  return fs
    .readdirSync(MAIL_CORPUS_DIR)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => ({ name, raw: fs.readFileSync(path.join(MAIL_CORPUS_DIR, name)) }));
}
