import { describeIssues } from '../../../../shared/api/common.js';
import { emulationRule, type EmulationRule, type EmulationRuleInput } from '../../../../shared/api/emulation.js';

/** The "add a rule" form: strings as typed, turned into a rule by the shared schema. */
export interface RuleForm {
  kind: EmulationRule['kind'];
  stage: 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';
  code: string;
  /** every (reply), delay_seconds (greylist), max_per_minute (rate), max_messages (cap), ms (latency) */
  amount: string;
  probability: string;
  per: 'sender' | 'connection';
  matchField: '' | 'sender' | 'recipient' | 'username' | 'tag';
  pattern: string;
  /** bounce: the RFC 3463 status */
  status: string;
}

export const EMPTY_RULE_FORM: RuleForm = { kind: 'reply', stage: 'rcpt', code: '451', amount: '1', probability: '100', per: 'sender', matchField: '', pattern: '', status: '5.1.1' };

/** what the amount means for each kind (its label in the form) */
export const AMOUNT_LABEL: Record<RuleForm['kind'], string> = {
  reply: 'Every Nth message',
  greylist: 'Accept after (seconds)',
  rate: 'Messages per minute',
  connection_cap: 'Messages per connection',
  latency: 'Delay (ms)',
  bounce: '',
};

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));

/** The rule the form describes, or the schema's message naming the field. */
export function ruleFromForm(f: RuleForm): { rule: EmulationRule } | { error: string } {
  const match = f.matchField && f.pattern.trim() ? { [f.matchField]: f.pattern.trim() } : {};
  const n = num(f.amount);
  const input: Record<RuleForm['kind'], EmulationRuleInput> = {
    reply: { kind: 'reply', stage: f.stage, code: num(f.code), every: n, probability: num(f.probability), match },
    greylist: { kind: 'greylist', delay_seconds: n, code: num(f.code), match },
    rate: { kind: 'rate', per: f.per, max_per_minute: n, code: num(f.code) as 451, match },
    connection_cap: { kind: 'connection_cap', max_messages: n, match },
    latency: { kind: 'latency', stage: f.stage, ms: n, match },
    bounce: { kind: 'bounce', status: f.status.trim(), match },
  };
  const r = emulationRule.safeParse(input[f.kind]);
  return r.success ? { rule: r.data } : { error: describeIssues(r.error) };
}

/** One line saying what a rule does. */
export function describeRule(r: EmulationRule): string {
  const when = Object.entries(r.match)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const scope = when ? ` when ${when}` : '';
  switch (r.kind) {
    case 'reply':
      return `${r.code} at ${r.stage}${r.every > 1 ? ` every ${r.every}th` : ''}${r.probability < 100 ? ` ${r.probability}% of the time` : ''}${scope}`;
    case 'greylist':
      return `Greylist (${r.code}) for ${r.delay_seconds} s${scope}`;
    case 'rate':
      return `${r.code} beyond ${r.max_per_minute}/min per ${r.per}${scope}`;
    case 'connection_cap':
      return `421 after ${r.max_messages} messages per connection${scope}`;
    case 'latency':
      return `${r.ms} ms at ${r.stage}${scope}`;
    case 'bounce':
      return `Accept, then bounce ${r.status}${scope}`;
  }
}
