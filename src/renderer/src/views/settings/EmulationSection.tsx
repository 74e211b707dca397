import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { emulationView, type EmulationConfig, type EmulationView } from '../../../../shared/api/emulation.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Field } from '../../components/Field.js';
import { useRelay } from '../../state/relay-context.js';
import { AMOUNT_LABEL, EMPTY_RULE_FORM, describeRule, ruleFromForm, type RuleForm } from './emulation-form.js';
import '../../styles/emulation.css';

const STAGES: RuleForm['stage'][] = ['connect', 'auth', 'mail', 'rcpt', 'data'];
const KINDS: [RuleForm['kind'], string][] = [
  ['reply', 'Reply with a code'],
  ['greylist', 'Greylisting'],
  ['rate', 'Messages per minute'],
  ['connection_cap', 'Messages per connection'],
  ['latency', 'Latency'],
  ['bounce', 'Accept, then bounce (DSN)'],
];

/** Settings > Provider emulation: the sink's rules with their live counters, add, remove, on/off. */
export function EmulationSection() {
  const { api } = useRelay();
  const [view, setView] = useState<EmulationView | null>(null);
  const [form, setForm] = useState<RuleForm>(EMPTY_RULE_FORM);
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof RuleForm>(k: K, v: RuleForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  const load = useCallback(async () => {
    try {
      setView(await api.checked(emulationView, 'GET', '/api/emulation'));
    } catch (err) {
      setError((err as Error).message);
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async (config: EmulationConfig) => {
    setError(null);
    try {
      setView(await api.checked(emulationView, 'PUT', '/api/emulation', config));
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  };

  const built = ruleFromForm(form);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!view || 'error' in built) return;
    if (await save({ ...view.config, rules: [...view.config.rules, built.rule] })) setForm(EMPTY_RULE_FORM);
  };
  const remove = (i: number) => view && void save({ ...view.config, rules: view.config.rules.filter((_, j) => j !== i) });
  const staged = form.kind === 'reply' || form.kind === 'latency';

  return (
    <section className="card settings-card emulation" aria-labelledby="emulation-h">
      <h3 id="emulation-h">Provider emulation</h3>
      <p className="muted small">The sandbox sink answers like a provider: refusals, greylisting, limits, latency. The relay&apos;s own sandbox dispatch obeys them too.</p>
      {view ? (
        <>
          <label className="emulation-toggle">
            <input type="checkbox" checked={view.config.enabled} onChange={(e) => void save({ ...view.config, enabled: e.target.checked })} /> Rules in force
            <span className="muted small"> ({view.source === 'api' ? 'set here' : 'from config.ini'})</span>
          </label>
          {view.config.rules.length === 0 ? (
            <p className="muted small">No rules: every command is accepted.</p>
          ) : (
            <ol className="emulation-rules" aria-label="Emulation rules">
              {view.config.rules.map((r, i) => (
                <li key={i}>
                  <span>{describeRule(r)}</span>
                  <span className="muted small" title="commands matched / answers changed">
                    {view.counters[i]?.matched ?? 0} matched, {view.counters[i]?.fired ?? 0} fired
                  </span>
                  <button type="button" className="btn btn-small btn-danger" aria-label={`Remove rule ${i + 1}`} onClick={() => remove(i)}>
                    Remove
                  </button>
                </li>
              ))}
            </ol>
          )}
          <button type="button" className="btn btn-small" onClick={() => void load()}>
            Refresh counters
          </button>
        </>
      ) : null}
      <form className="form emulation-add" onSubmit={add} noValidate>
        <div className="field-row">
          <Field label="Rule">
            <select value={form.kind} onChange={(e) => set('kind', e.target.value as RuleForm['kind'])}>
              {KINDS.map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          {staged ? (
            <Field label="Stage">
              <select value={form.stage} onChange={(e) => set('stage', e.target.value as RuleForm['stage'])}>
                {STAGES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          {form.kind === 'bounce' ? (
            <Field label="Status" hint="5.x.x hard, 4.x.x soft">
              <input value={form.status} onChange={(e) => set('status', e.target.value)} />
            </Field>
          ) : null}
          {form.kind !== 'latency' && form.kind !== 'connection_cap' && form.kind !== 'bounce' ? (
            <Field label="SMTP code">
              <input inputMode="numeric" value={form.code} onChange={(e) => set('code', e.target.value)} />
            </Field>
          ) : null}
          {form.kind !== 'bounce' ? (
            <Field label={AMOUNT_LABEL[form.kind]}>
              <input inputMode="numeric" value={form.amount} onChange={(e) => set('amount', e.target.value)} />
            </Field>
          ) : null}
          {form.kind === 'reply' ? (
            <Field label="Probability (%)">
              <input inputMode="decimal" value={form.probability} onChange={(e) => set('probability', e.target.value)} />
            </Field>
          ) : null}
          {form.kind === 'rate' ? (
            <Field label="Per">
              <select value={form.per} onChange={(e) => set('per', e.target.value as RuleForm['per'])}>
                <option value="sender">sender</option>
                <option value="connection">connection</option>
              </select>
            </Field>
          ) : null}
        </div>
        <div className="field-row">
          <Field label="Only when">
            <select value={form.matchField} onChange={(e) => set('matchField', e.target.value as RuleForm['matchField'])}>
              <option value="">always</option>
              <option value="sender">sender is</option>
              <option value="recipient">recipient is</option>
              <option value="username">SMTP username is</option>
              <option value="tag">tag is</option>
            </select>
          </Field>
          {form.matchField ? (
            <Field label="Pattern" hint="* any characters, ? one">
              <input value={form.pattern} onChange={(e) => set('pattern', e.target.value)} />
            </Field>
          ) : null}
        </div>
        <ErrorNote error={'error' in built ? built.error : error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!view || 'error' in built}>
            Add rule
          </button>
        </div>
      </form>
    </section>
  );
}
