import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { quickSummary } from '../../../src/core/sink/quick-summary.js';
import { summarizeMessage } from '../../../src/core/sink/summarize.js';
import { LIMITS, type MessageSummary } from '../../../src/core/sink/summary.js';
import { startTestRelay } from '../../support/relay/test-relay.js';
import { mailCorpus } from '../../support/sink/mail-corpus.js';

type Field = keyof MessageSummary;

interface Divergence {
  field: Field;
  quick: unknown;
  /** what mailparser answers: a value, or a check for one that changes with the clock */
  full: unknown;
  why: string;
}

/** The only places where the capture-time summary differs from mailparser, on purpose. */
const DELIBERATE: Record<string, Divergence[]> = {
  'raw-8bit-latin1-headers.eml': [
    { field: 'subject', quick: 'Résumé de la réunion', full: 'R\uFFFDsum\uFFFD de la r\uFFFDunion', why: 'header bytes that are not UTF-8 are shown as Latin-1, not as replacement characters' },
    { field: 'from', quick: 'Renée Café <renee@example.fr>', full: 'Ren\uFFFDe Caf\uFFFD <renee@example.fr>', why: 'the same, for the display name' },
  ],
  'invalid-date.eml': [
    { field: 'date_ts', quick: null, full: 'the time of the parse', why: 'mailparser dates an unreadable Date header at the moment it parses the message' },
  ],
};

/** The fields both sides answer, minus the deliberate divergences (checked on their own). */
function comparable(name: string, s: MessageSummary, side: 'quick' | 'full', parsedAt: { before: number; after: number }): Partial<MessageSummary> {
  const out: Partial<MessageSummary> = { ...s };
  for (const d of DELIBERATE[name] ?? []) {
    const value = s[d.field];
    const label = `${name} ${d.field} (${d.why})`;
    if (side === 'quick' || d.full !== 'the time of the parse') expect(value, label).toEqual(d[side]);
    else {
      expect(value as number, label).toBeGreaterThanOrEqual(parsedAt.before);
      expect(value as number, label).toBeLessThanOrEqual(parsedAt.after);
    }
    delete out[d.field];
  }
  return out;
}

async function fullSummary(raw: Buffer): Promise<{ full: MessageSummary; parsedAt: { before: number; after: number } }> {
  const before = Math.floor(Date.now() / 1000);
  const { search_text: _text, ...full } = await summarizeMessage(raw);
  return { full, parsedAt: { before, after: Math.ceil(Date.now() / 1000) } };
}

const corpus = mailCorpus();

describe("the capture-time summary against mailparser's full parse, over a corpus of real-world mail", () => {
  it('holds real-world shapes: non-UTF-8 charsets, encoded words, folding, broken MIME', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it('agrees on subject, from, to, cc, date, attachments and text for every message', async () => {
    for (const { name, raw } of corpus) {
      const quick = quickSummary(raw);
      const { full, parsedAt } = await fullSummary(raw);
      expect(comparable(name, quick, 'quick', parsedAt), name).toEqual(comparable(name, full, 'full', parsedAt));
    }
  });

  it("takes the full side from mailparser's own parse (no fallback): the subject and attachment list as simpleParser gives them", async () => {
    for (const { name, raw } of corpus) {
      const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
      const { full } = await fullSummary(raw);
      const subject = (parsed.subject ?? '').replace(/\s+/g, ' ').trim().slice(0, LIMITS.subject);
      expect(full.subject, name).toBe(subject);
      expect(full.attachments, name).toBe(parsed.attachments.filter((a) => !(a.related && a.contentDisposition !== 'attachment')).length);
    }
  });

  it('decodes the subject of every shape as a reader expects it', () => {
    const subjects: Record<string, string> = {
      'apple-mail-flowed-delsp.eml': 'Quarterly numbers',
      'apple-mail-inline-pdf.eml': 'Compte rendu',
      'broken-transfer-encodings.eml': 'broken QP and base64',
      'dsn-bounce.eml': 'Undelivered Mail Returned to Sender',
      'folded-headers-and-groups.eml': 'This is a rather long subject line that a mail client folded over several lines because it exceeded seventy-eight characters in total',
      'forwarded-inline-rfc822.eml': 'Fwd: quarterly report',
      'gb2312.eml': '关于下周会议的通知',
      'gmail-utf8-split-b-words.eml': 'Grüße aus München — Übersicht für Jörg',
      'headers-only.eml': 'nothing else',
      'html-only-entities.eml': "Nos cafés de l'hiver",
      'inline-text-with-filename.eml': 'inline text file',
      'invalid-date.eml': 'invalid date header',
      'iso-2022-jp.eml': '見積書の件',
      'koi8-r.eml': 'Отчёт за октябрь',
      'lf-line-endings.eml': 'Cron <root@host> /usr/local/bin/backup.sh --verbose',
      'mailman-iso-8859-1.eml': "[Liste-dev] Réunion de l'équipe demain",
      'missing-boundary.eml': 'boundary never appears',
      'mixed-charset-words.eml': 'Re: Café crème and 🍰 cake',
      'multipart-without-boundary.eml': 'no boundary parameter',
      'nested-multipart.eml': 'Nested structure',
      'outlook-meeting-request.eml': 'Projekt-Kickoff',
      'outlook-windows-1252.eml': 'Angebot – Preis € 1.200 „netto“',
      'overlong-subject.eml': Array.from({ length: 120 }, (_, i) => `Überlänge ${String(i).padStart(3, '0')} –`).join('').slice(0, LIMITS.subject),
      'php-q-words-split-characters.eml': 'Bestätigung Ihrer Bestellung №4711 – Größe XL',
      'quoted-encoded-names.eml': 'names',
      'raw-8bit-latin1-headers.eml': 'Résumé de la réunion',
      'repeated-headers.eml': 'the first subject',
      'rfc2231-filenames.eml': 'Scans',
      'shift_jis.eml': '会議の議事録について',
      'smtputf8-raw-utf8-headers.eml': 'Año nuevo — résumé ✓',
      'thunderbird-format-flowed.eml': 'Re: release plan',
      'unknown-charset.eml': 'café from a gateway',
      'windows-1251-html-only.eml': 'Совещание в пятницу — повестка',
    };
    expect(Object.keys(subjects).sort()).toEqual(corpus.map((m) => m.name));
    for (const { name, raw } of corpus) expect(quickSummary(raw).subject, name).toBe(subjects[name]);
  });

  it('reads the text through every charset, transfer encoding, format=flowed and embedded message', () => {
    const previews: Record<string, string> = {
      'apple-mail-flowed-delsp.eml': 'The quarterly numbers are in and they look considerably better than we expected; the extraordinarily long word antidisestablishmentarianism is split by delsp. Kim',
      'broken-transfer-encodings.eml': 'Invalid escapes =ZZ and =4 stay, a soft break joins, café decodes, a lone = at the end Hello Woörld!',
      'forwarded-inline-rfc822.eml': 'FYI, see below. From: cfo@example.com Subject: quarterly report Date: Fri, 28 Nov 2025 18:00:00 GMT To: board@example.com Revenue is up.',
      'gb2312.eml': '李先生： 下周一上午十点开会，请准时参加。 王小明',
      'iso-2022-jp.eml': '佐藤様 いつもお世話になっております。 見積書の件、承知いたしました。 鈴木',
      'shift_jis.eml': '花子さん 昨日の会議の議事録を送ります。ご確認ください。 山田',
      'unknown-charset.eml': 'Café crème, written by a gateway that forgot the charset.',
    };
    const starts: Record<string, string> = {
      'html-only-entities.eml': 'Nos cafés de l’hiver Découvrez notre sélection : moka, café crème & chocolat chaud – dès 2,50 € (€) ou € 3.',
      'koi8-r.eml': 'Здравствуйте, Мария! Отчёт за октябрь',
      'mailman-iso-8859-1.eml': "Bonjour, la réunion de l'équipe aura lieu demain à 10 h, salle « Écluse ».",
      'outlook-windows-1252.eml': 'Hallo Ann, anbei das Angebot – der Preis beträgt € 1.200 „netto“, zahlbar innerhalb von 30 Tagen.',
      'windows-1251-html-only.eml': 'Коллеги, повестка совещания в пятницу: бюджет, «новый офис» и отпуск — всё в одном файле.',
    };
    for (const { name, raw } of corpus) {
      const preview = quickSummary(raw).preview;
      if (name in previews) expect(preview, name).toBe(previews[name]);
      if (name in starts) expect(preview.startsWith(starts[name]), `${name}: ${preview}`).toBe(true);
    }
  });
});

describe('corpus mail captured over SMTP', () => {
  it("is stored with mailparser's summary, which the background indexer leaves as it is", async () => {
    const t = await startTestRelay();
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
    try {
      const ids = new Map<string, number>();
      for (const { name, raw } of corpus) {
        const info = await smtp.sendMail({ envelope: { from: 'corpus@example.com', to: ['sink@example.com'] }, raw });
        ids.set(name, Number(/captured as (\d+)/.exec(info.response)![1]));
      }
      const stored = async (id: number) => {
        const { id: _id, received_ts: _r, mail_from: _m, rcpt_to: _t, size: _s, mailbox: _b, read: _read, relay_message_id: _l, relay_tenant_id: _lt, remote_address: _a, helo: _h, tls: _tls, ...summary } = (await t.relay.store.captured.get(id))!;
        return summary;
      };
      const atCapture = new Map<string, MessageSummary>();
      for (const [name, id] of ids) {
        const summary = await stored(id);
        atCapture.set(name, summary);
        const { full, parsedAt } = await fullSummary((await t.relay.store.captured.raw(id))!);
        expect(comparable(name, summary, 'quick', parsedAt), name).toEqual(comparable(name, full, 'full', parsedAt));
      }
      expect(await t.relay.sink.flushIndexing()).toBe(0);
      for (const [name, id] of ids) expect(await stored(id), name).toEqual(atCapture.get(name));
    } finally {
      smtp.close();
      await t.stop();
    }
  });
});
