import type { HtmlCheckAnswer } from '../../shared/api/captured-tools.js';

/** caniemail's issue for one client, as much of it as the check reads. */
export interface ClientIssue {
  title: string;
  support: 'full' | 'partial' | 'none';
  notes: string[];
}

/** What caniemail found per client: its errors (unsupported) and warnings (partial), or no data. */
export type ClientFindings = { client: string; errors: ClientIssue[]; warnings: ClientIssue[] } | { client: string; noData: true };

const familyOf = (client: string) => client.slice(0, client.indexOf('.'));

/**
 * The answer from caniemail's findings, a pure function: issues grouped by client family (gmail,
 * outlook, …) and feature, and a score, the share of clients that support every feature the HTML
 * uses, a partial support counting half; clients without data for some feature are left out.
 */
export function htmlCheckSummary(findings: readonly ClientFindings[], source: string, names: Readonly<Record<string, string>> = {}): HtmlCheckAnswer {
  const withData = findings.filter((f): f is Extract<ClientFindings, { errors: ClientIssue[] }> => !('noData' in f));
  let points = 0;
  const families = new Map<string, { clients: string[]; issues: Map<string, HtmlCheckAnswer['families'][number]['issues'][number]> }>();
  for (const f of withData) {
    points += f.errors.length ? 0 : f.warnings.length ? 0.5 : 1;
    const fam = familyOf(f.client);
    let entry = families.get(fam);
    if (!entry) families.set(fam, (entry = { clients: [], issues: new Map() }));
    entry.clients.push(f.client);
    for (const [list, support] of [[f.errors, 'none'], [f.warnings, 'partial']] as const) {
      for (const issue of list) {
        const key = `${support}\u0000${issue.title}`;
        let row = entry.issues.get(key);
        if (!row) entry.issues.set(key, (row = { feature: issue.title, support, clients: [], notes: [], occurrences: 0 }));
        if (!row.clients.includes(f.client)) row.clients.push(f.client);
        else continue;
        for (const n of issue.notes) if (!row.notes.includes(n)) row.notes.push(n);
        row.occurrences = Math.max(row.occurrences, list.filter((i) => i.title === issue.title).length);
      }
    }
  }
  return {
    score: withData.length ? Math.round((100 * points) / withData.length) : 100,
    clients_checked: withData.length,
    clients_without_data: findings.filter((f) => 'noData' in f).map((f) => f.client),
    families: [...families.entries()]
      .filter(([, e]) => e.issues.size > 0)
      .map(([family, e]) => ({
        family,
        name: names[family] ?? family,
        clients: e.clients,
        // unsupported before partial, then by name
        issues: [...e.issues.values()].sort((a, b) => (a.support === b.support ? a.feature.localeCompare(b.feature) : a.support === 'none' ? -1 : 1)),
      }))
      .sort((a, b) => a.family.localeCompare(b.family)),
    source,
  };
}

/** Every client caniemail knows, in its order; the module is loaded on first use (the start path never loads it). */
let loaded: Promise<{ check: (html: string) => ClientFindings[]; source: string; names: Record<string, string> }> | null = null;

async function loadCaniemail() {
  const [{ caniemail, rawData }, pkg] = await Promise.all([
    import('caniemail'),
    import('caniemail/package.json', { with: { type: 'json' } }) as Promise<{ default: { version: string } }>,
  ]);
  // the clients are those the data has support figures for (caniemail does not export its own list)
  const clients = new Set<string>();
  for (const feature of rawData.data) for (const [family, platforms] of Object.entries(feature.stats ?? {})) for (const p of Object.keys(platforms)) clients.add(`${family}.${p}`);
  const clientNames = [...clients].sort();
  type Glob = Parameters<typeof caniemail>[0]['clients'][number];
  const check = (html: string): ClientFindings[] =>
    clientNames.map((client) => {
      try {
        // one client at a time: caniemail throws for the whole run when one client lacks a feature's data
        const r = caniemail({ clients: [client as Glob], html });
        const of = (m: ReadonlyMap<Glob, readonly ClientIssue[]>): ClientIssue[] => [...(m.get(client as Glob) ?? [])];
        return { client, errors: of(r.issues.errors), warnings: of(r.issues.warnings) };
      } catch {
        return { client, noData: true as const };
      }
    });
  return { check, names: rawData.nicenames.family, source: `caniemail ${pkg.default.version}, caniemail.com data of ${rawData.last_update_date.slice(0, 10)}` };
}

/** Checks an HTML body against caniemail's client-support data. */
export async function checkHtml(html: string): Promise<HtmlCheckAnswer> {
  loaded ??= loadCaniemail();
  const { check, source, names } = await loaded;
  return htmlCheckSummary(check(html), source, names);
}
