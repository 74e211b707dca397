import type { EmulationConfig } from '../../../shared/api/emulation.js';
import { globMatch, matches, type EmulationEvent } from '../emulation/decide.js';

/** One recipient that bounces, and why. */
export interface Bounce {
  recipient: string;
  /** RFC 3463, e.g. 5.1.1 */
  status: string;
  /** the Diagnostic-Code text, e.g. `550 5.1.1 ...` */
  diagnostic: string;
  /** the rule's index, or 'builtin' */
  rule: number | 'builtin';
}

const BUILTIN = [
  { pattern: 'bounce+hard@*', status: '5.1.1', diagnostic: '550 5.1.1 The email account that you tried to reach does not exist' },
  { pattern: 'bounce+soft@*', status: '4.2.2', diagnostic: '452 4.2.2 The recipient mailbox is full' },
] as const;

const REPLY_OF: Record<string, string> = { '4': '451', '5': '550' };

/**
 * Which recipients of an accepted message bounce (#18.3): per recipient the first bounce rule whose
 * match accepts the message with that recipient alone, else the built-in `bounce+hard@` / `bounce+soft@`.
 */
export function bouncesFor(config: EmulationConfig, event: EmulationEvent): Bounce[] {
  if (!config.enabled) return [];
  const out: Bounce[] = [];
  for (const recipient of event.recipients ?? []) {
    const one = { ...event, recipients: [recipient] };
    const index = config.rules.findIndex((r) => r.kind === 'bounce' && matches(r.match, one));
    const rule = config.rules[index];
    if (rule?.kind === 'bounce') {
      const diagnostic = rule.diagnostic ?? `${REPLY_OF[rule.status[0]]} ${rule.status} Emulated bounce (sandbox provider emulation)`;
      out.push({ recipient, status: rule.status, diagnostic, rule: index });
      continue;
    }
    const builtin = config.builtin_bounces ? BUILTIN.find((b) => globMatch(b.pattern, recipient)) : undefined;
    if (builtin) out.push({ recipient, status: builtin.status, diagnostic: builtin.diagnostic, rule: 'builtin' });
  }
  return out;
}
