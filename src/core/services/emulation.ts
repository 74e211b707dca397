import { chaosBody, emulationConfig, type ChaosTriggers, type EmulationConfig, type EmulationView } from '../../shared/api/emulation.js';
import { describeIssues, fieldIssues } from '../../shared/api/common.js';
import { badRequest } from '../errors.js';
import { EMULATION_SETTINGS_KEY, loadEmulation } from '../sink/emulation/saved-rules.js';
import type { Sink } from '../sink/sink.js';
import type { SettingsPort } from '../store/ports.js';

/** Provider emulation of the sandbox sink (#18.2): /api/emulation and Mailpit's /api/v1/chaos. */
export interface EmulationService {
  view(): Promise<EmulationView>;
  /** validates (400 naming the field), saves (wins over config.ini from now on), then applies; counters restart */
  replace(body: unknown): Promise<EmulationView>;
  /** forgets the saved rules: config.ini's apply again */
  reset(): Promise<EmulationView>;
  chaos(): ChaosTriggers;
  /** Mailpit's PUT: the triggers replace the chaos part only, the rules stay */
  setChaos(body: unknown): Promise<ChaosTriggers>;
}

export interface EmulationServiceDeps {
  sink: Pick<Sink, 'emulation'>;
  store: Pick<SettingsPort, 'get' | 'set'>;
  /** config.ini's rules */
  defaults: EmulationConfig;
}

/** a zod failure as a 400 whose message and details name each field */
function parsed<T>(r: { success: true; data: T } | { success: false; error: Parameters<typeof describeIssues>[0] }): T {
  if (!r.success) throw badRequest(describeIssues(r.error), fieldIssues(r.error));
  return r.data;
}

export function createEmulationService(deps: EmulationServiceDeps): EmulationService {
  const { sink, store } = deps;
  const view = async (): Promise<EmulationView> => {
    const { source } = await loadEmulation(store, deps.defaults);
    return { config: sink.emulation.rules(), source, counters: sink.emulation.snapshot() };
  };
  const save = async (config: EmulationConfig) => {
    await store.set(EMULATION_SETTINGS_KEY, config);
    sink.emulation.configure(config);
  };
  return {
    view,
    async replace(body) {
      await save(parsed(emulationConfig.safeParse(body)));
      return view();
    },
    async reset() {
      await store.set(EMULATION_SETTINGS_KEY, null);
      sink.emulation.configure(deps.defaults);
      return view();
    },
    chaos: () => sink.emulation.rules().chaos,
    async setChaos(body) {
      const chaos = parsed(chaosBody.safeParse(body));
      await save({ ...sink.emulation.rules(), enabled: true, chaos });
      return chaos;
    },
  };
}
