import { z } from 'zod';
import { body, json, raw, RELAY_401, RELAY_403, relayFail, type ApiRoute } from './route-kit.js';

/**
 * Provider emulation in the sandbox sink (#18.2): one schema for config.ini's `[sandbox] emulation_rules`,
 * GET/PUT /api/emulation and the Settings form. Mailpit's chaos triggers (github.com/axllent/mailpit
 * v1.30.5, commit 408b30d5, internal/smtpd/chaos/chaos.go) are kept beside the rules as `chaos`.
 */

const int = z.number().int();

/** the SMTP step a rule answers at (auth: after AUTH; data: after the whole message was read) */
export const emulationStage = z.enum(['connect', 'auth', 'mail', 'rcpt', 'data']);
export type EmulationStage = z.infer<typeof emulationStage>;

const pattern = z.string().min(1).max(200).describe('a case-insensitive glob: `*` any run of characters, `?` one');

/** Every given field must match; an absent field matches anything. */
export const emulationMatch = z
  .object({
    sender: pattern.optional().describe('MAIL FROM address'),
    recipient: pattern.optional().describe('a RCPT TO address (at DATA: any of them)'),
    username: pattern.optional().describe('the AUTH username'),
    tag: pattern.optional().describe('an X-Tags tag or a plus-address tag (user+tag@), known at DATA only'),
  })
  .strict()
  .meta({ id: 'EmulationMatch' });
export type EmulationMatch = z.infer<typeof emulationMatch>;

const code = int.min(400).max(599);
const text = z.string().max(200).regex(/^[^\r\n]*$/, 'one line');
const common = { name: z.string().max(80).optional(), match: emulationMatch.default({}) };

const replyRule = z
  .object({
    kind: z.literal('reply'),
    ...common,
    stage: emulationStage,
    code,
    text: text.optional(),
    /** every Nth matching command (1: each); with `probability` both must fire */
    every: int.min(1).max(1_000_000).default(1),
    /** percent, drawn from the seeded generator (100: always) */
    probability: z.number().min(0).max(100).default(100),
  })
  .strict();

const greylistRule = z
  .object({
    kind: z.literal('greylist'),
    ...common,
    /** the first attempt of a sender/recipient/IP triple gets this at RCPT, until `delay_seconds` passed */
    delay_seconds: int.min(0).max(86_400),
    code: code.default(451),
  })
  .strict();

const rateRule = z
  .object({
    kind: z.literal('rate'),
    ...common,
    /** per sender address or per SMTP connection */
    per: z.enum(['sender', 'connection']),
    max_per_minute: int.min(1).max(1_000_000),
    code: z.union([z.literal(421), z.literal(450), z.literal(451), z.literal(452)]).default(451),
  })
  .strict();

const connectionCapRule = z
  .object({
    kind: z.literal('connection_cap'),
    ...common,
    /** messages (MAIL commands) one connection may start; the next gets 421 and the connection closes */
    max_messages: int.min(1).max(1_000_000),
  })
  .strict();

const latencyRule = z
  .object({
    kind: z.literal('latency'),
    ...common,
    stage: emulationStage,
    /** added before the answer at this stage (several matching rules add up, at most 60 s in all) */
    ms: int.min(0).max(60_000),
  })
  .strict();

const bounceRule = z
  .object({
    kind: z.literal('bounce'),
    ...common,
    /** RFC 3463 status: 5.x.x a hard bounce (Action: failed), 4.x.x a soft one (Action: delayed) */
    status: z.string().regex(/^[45]\.\d{1,3}\.\d{1,3}$/, 'an RFC 3463 status such as 5.1.1').default('5.1.1'),
    /** the Diagnostic-Code text; one is made up from the status without it */
    diagnostic: text.optional(),
  })
  .strict();

/** What is known at each stage: a matcher the stage cannot know is refused rather than never firing. */
const KNOWN: Record<EmulationStage, readonly (keyof EmulationMatch)[]> = {
  connect: [],
  auth: ['username'],
  mail: ['sender', 'username'],
  rcpt: ['sender', 'username', 'recipient'],
  data: ['sender', 'username', 'recipient', 'tag'],
};
/** the stage each kind answers at when it has no `stage` */
export const RULE_STAGE = { greylist: 'rcpt', rate: 'mail', connection_cap: 'mail', bounce: 'data' } as const;

export const emulationRule = z
  .discriminatedUnion('kind', [replyRule, greylistRule, rateRule, connectionCapRule, latencyRule, bounceRule])
  .superRefine((r, ctx) => {
    const stage = 'stage' in r ? r.stage : RULE_STAGE[r.kind];
    for (const key of Object.keys(r.match) as (keyof EmulationMatch)[]) {
      if (r.match[key] !== undefined && !KNOWN[stage].includes(key))
        ctx.addIssue({ code: 'custom', path: ['match', key], message: `not known at ${stage} (known: ${KNOWN[stage].join(', ') || 'nothing'})` });
    }
  })
  .meta({ id: 'EmulationRule' });
export type EmulationRule = z.infer<typeof emulationRule>;
export type EmulationRuleInput = z.input<typeof emulationRule>;

/** Mailpit's trigger: ErrorCode 400-599, Probability 0-100 (0: off). */
export const chaosTrigger = z
  .object({ ErrorCode: code, Probability: int.min(0).max(100) })
  .strict()
  .meta({ id: 'ChaosTrigger' });
export const chaosTriggers = z
  .object({ Sender: chaosTrigger, Recipient: chaosTrigger, Authentication: chaosTrigger })
  .strict()
  .meta({ id: 'ChaosTriggers' });
export type ChaosTriggers = z.infer<typeof chaosTriggers>;

/** PUT /api/v1/chaos: an omitted trigger is reset (its default code, probability 0), as Mailpit does. */
const chaosTriggerInput = (defaultCode: number) =>
  z
    .object({ ErrorCode: z.union([z.literal(0), code]).optional(), Probability: int.min(0).max(100).optional() })
    .strict()
    .transform((t) => ({ ErrorCode: t.ErrorCode || defaultCode, Probability: t.Probability ?? 0 }));
export const chaosBody = z
  .object({
    Sender: chaosTriggerInput(451).optional(),
    Recipient: chaosTriggerInput(451).optional(),
    Authentication: chaosTriggerInput(535).optional(),
  })
  .strict()
  .transform(
    (b): ChaosTriggers => ({
      Sender: b.Sender ?? { ErrorCode: 451, Probability: 0 },
      Recipient: b.Recipient ?? { ErrorCode: 451, Probability: 0 },
      Authentication: b.Authentication ?? { ErrorCode: 535, Probability: 0 },
    }),
  );
export const CHAOS_OFF: ChaosTriggers = chaosBody.parse({});

export const MAX_EMULATION_RULES = 100;

/** The whole rule set: what PUT /api/emulation takes and config.ini's `emulation_rules` holds. */
export const emulationConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** seeds the probability draws, so a run with the same traffic answers the same */
    seed: int.min(0).max(2 ** 31 - 1).default(1),
    rules: z.array(emulationRule).max(MAX_EMULATION_RULES).default([]),
    /** `bounce+hard@…` (5.1.1) and `bounce+soft@…` (4.2.2) bounce without a rule */
    builtin_bounces: z.boolean().default(true),
    chaos: chaosTriggers.default(CHAOS_OFF),
  })
  .strict()
  .meta({ id: 'EmulationConfig' });
export type EmulationConfig = z.infer<typeof emulationConfig>;
export type EmulationConfigInput = z.input<typeof emulationConfig>;
export const EMULATION_OFF: EmulationConfig = emulationConfig.parse({});

/** Per rule, in order: the commands it matched and the answers it changed (counters since the rules were set). */
export const emulationCounter = z.object({ matched: int, fired: int }).strict();
export const emulationView = z
  .object({
    config: emulationConfig,
    /** `api`: set through the API or the UI (kept across restarts); `config`: config.ini's defaults */
    source: z.enum(['api', 'config']),
    counters: z.array(emulationCounter),
  })
  .strict()
  .meta({ id: 'EmulationView' });
export type EmulationView = z.infer<typeof emulationView>;

const ADMIN = { ...RELAY_401, ...RELAY_403 };

export const EMULATION_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/api/emulation', summary: 'Provider emulation rules of the sandbox sink, with their counters', responses: { 200: json(emulationView, 'rules'), ...ADMIN } },
  {
    method: 'put',
    path: '/api/emulation',
    summary: 'Replace the provider emulation rules (kept across restarts; counters restart)',
    request: { body: body(emulationConfig) },
    responses: { 200: json(emulationView, 'rules'), 400: relayFail('invalid rule (names the field)'), ...ADMIN },
  },
  {
    method: 'delete',
    path: '/api/emulation',
    summary: "Forget the API's rules: config.ini's apply again",
    responses: { 200: json(emulationView, 'rules'), ...ADMIN },
  },
  { method: 'get', path: '/api/v1/chaos', summary: 'Mailpit: the chaos triggers', responses: { 200: json(chaosTriggers, 'triggers'), ...ADMIN } },
  {
    method: 'put',
    path: '/api/v1/chaos',
    summary: 'Mailpit: set the chaos triggers (an omitted one is reset)',
    request: { body: body(chaosBody) },
    responses: { 200: json(chaosTriggers, 'triggers'), 400: raw('text/plain', 'invalid trigger'), ...ADMIN },
  },
];
