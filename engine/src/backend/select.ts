/**
 * Backend selection: tensorflow (tfjs-node) → webgpu on a hardware adapter → wasm → cpu,
 * unless a preference (argument or NEURAL_ODE_BACKEND) names one. Probes run once per process;
 * a preference that cannot be honoured falls back down the same order and says why.
 */
import { loadOptionalModule, type ModuleLoader } from './optionalModule';
import { activate, probe, runningDetail, type Probe, type ProbeContext } from './probes';
import { tf } from './tf';
import { BACKEND_ORDER, isBackendPreference, type BackendName, type BackendPreference, type BackendReport } from './types';

export interface BackendSelection {
  /** The active backend. */
  name: BackendName;
  /** What was asked for, and where the request came from ('auto' asks for nothing). */
  preference: BackendPreference;
  requestedBy: 'argument' | 'NEURAL_ODE_BACKEND' | 'default';
  /** The backends tried (in order), the selected one last. */
  reports: BackendReport[];
}

export interface SelectorOptions {
  load?: ModuleLoader;
  env?: Record<string, string | undefined>;
}

export class BackendSelector {
  private readonly ctx: ProbeContext;
  private readonly probes = new Map<BackendName, Promise<Probe>>();
  private readonly activations = new Map<BackendName, Promise<string | null>>();
  private readonly selections = new Map<string, Promise<BackendSelection>>();
  private current: BackendSelection | null = null;

  constructor(options: SelectorOptions = {}) {
    this.ctx = { load: options.load ?? loadOptionalModule, env: options.env ?? process.env };
  }

  /** The selection made last, or null before the first `select`. */
  get selected(): BackendSelection | null {
    return this.current;
  }

  probe(name: BackendName): Promise<Probe> {
    let p = this.probes.get(name);
    if (!p) {
      p = probe(name, this.ctx);
      this.probes.set(name, p);
    }
    return p;
  }

  /** Selects (once per preference) and makes the selection the active tfjs backend. */
  async select(preference?: BackendPreference): Promise<BackendSelection> {
    const { pref, by, note } = this.resolvePreference(preference);
    const key = `${pref}|${by}`;
    let p = this.selections.get(key);
    if (!p) {
      p = this.decide(pref, by, note);
      this.selections.set(key, p);
    }
    const selection = await p;
    if (tf.getBackend() !== selection.name) {
      const failure = await activate(selection.name);
      if (failure) throw new Error(`The ${selection.name} backend worked before but now ${failure}.`);
    }
    this.current = selection;
    return selection;
  }

  /** A report for every backend, probing those the selection did not need to try. */
  async reportAll(selection: BackendSelection): Promise<BackendReport[]> {
    const out: BackendReport[] = [];
    for (const name of BACKEND_ORDER) {
      const tried = selection.reports.find((r) => r.name === name);
      if (tried) {
        out.push(tried);
        continue;
      }
      const p = await this.probe(name);
      const skipped = `not tried: ${selection.name} comes first`;
      out.push({ name, available: p.available, detail: p.available ? `${p.detail}; ${skipped}` : p.detail });
    }
    return out;
  }

  /** An explicit backend argument wins; else NEURAL_ODE_BACKEND; else (or for 'auto') auto. */
  private resolvePreference(preference?: BackendPreference): {
    pref: BackendPreference;
    by: BackendSelection['requestedBy'];
    note: string | null;
  } {
    if (preference !== undefined && !isBackendPreference(preference)) {
      throw new Error(`Unknown backend '${String(preference)}': use one of auto, ${BACKEND_ORDER.join(', ')}.`);
    }
    if (preference !== undefined && preference !== 'auto') return { pref: preference, by: 'argument', note: null };
    const fromEnv = this.ctx.env.NEURAL_ODE_BACKEND?.trim();
    if (!fromEnv) return { pref: 'auto', by: 'default', note: null };
    if (isBackendPreference(fromEnv)) return { pref: fromEnv, by: 'NEURAL_ODE_BACKEND', note: null };
    const note = `NEURAL_ODE_BACKEND=${fromEnv} is not a backend (auto, ${BACKEND_ORDER.join(', ')}); chose automatically`;
    return { pref: 'auto', by: 'default', note };
  }

  private async decide(
    pref: BackendPreference,
    by: BackendSelection['requestedBy'],
    note: string | null,
  ): Promise<BackendSelection> {
    const order: BackendName[] = pref === 'auto' ? [...BACKEND_ORDER] : [pref, ...BACKEND_ORDER.filter((n) => n !== pref)];
    const reports: BackendReport[] = [];
    for (const name of order) {
      const p = await this.probe(name);
      const explicit = name === pref;
      if (!p.available) {
        reports.push({ name, available: false, detail: p.detail });
        continue;
      }
      if (p.software && !explicit) {
        reports.push({ name, available: true, detail: p.detail });
        continue;
      }
      const failure = await this.activateOnce(name);
      if (failure) {
        reports.push({ name, available: false, detail: `${p.detail}; ${failure}` });
        continue;
      }
      const running = await runningDetail(name);
      reports.push({ name, available: true, detail: `selected: ${p.detail}${running ? `; ${running}` : ''}` });
      if (note) reports[reports.length - 1].detail += ` (${note})`;
      if (pref !== 'auto' && name !== pref) {
        const asked = reports.find((r) => r.name === pref);
        if (asked) asked.detail = `requested by ${by === 'argument' ? 'the caller' : by}, but ${asked.detail}; fell back to ${name}`;
      }
      return { name, preference: pref, requestedBy: by, reports };
    }
    throw new Error(
      `No TensorFlow.js backend could be initialised: ${reports.map((r) => `${r.name}: ${r.detail}`).join('; ')}. ` +
        'Typed-array (Float64Array) states do not need one; for tensors, reinstall the extension or its node_modules (@tensorflow/tfjs).',
    );
  }

  private activateOnce(name: BackendName): Promise<string | null> {
    let p = this.activations.get(name);
    if (!p) {
      p = activate(name);
      this.activations.set(name, p);
    }
    return p;
  }
}
