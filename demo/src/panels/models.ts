/**
 * "Models": trains an Isolation Forest on shingles of the series in the ML
 * worker (`edgewise/ml` train()), registers each model in the registry
 * (IndexedDB) as a candidate, and promotes, rolls back and shadow-compares.
 */
import {
  compileFeatures,
  deserializeModel,
  type FeatureSpec,
  ModelRegistry,
  train,
} from 'edgewise/ml';
import { type Dataset, inBand } from '../data';
import { $, el, fmtTime, messageOf } from '../dom';

const SPEC: FeatureSpec = {
  version: 1,
  features: [{ kind: 'shingle', column: 'value', size: 12 }],
};

const featuresOf = (d: Dataset) =>
  compileFeatures(SPEC).transform({ columns: { value: d.values }, ts: d.timestamps });

const button = (text: string, className: string, onClick: () => void): HTMLButtonElement => {
  const b = el('button', text, className);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
};

export class ModelsPanel {
  #worker: Worker | undefined;
  #training: AbortController | undefined;

  private constructor(
    private readonly registry: ModelRegistry,
    private readonly current: () => Dataset | undefined,
  ) {
    $('#train').addEventListener('click', () => void this.#train());
    $('#cancel-train').addEventListener('click', () => this.#training?.abort());
    $('#rollback').addEventListener('click', () => void this.#rollback());
  }

  static async mount(current: () => Dataset | undefined): Promise<ModelsPanel> {
    return new ModelsPanel(await ModelRegistry.open(), current);
  }

  #name(): string {
    return `demo.${(this.current()?.id ?? '').replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 128);
  }

  async render(): Promise<void> {
    const list = await this.registry.list(this.#name());
    const table = $<HTMLTableElement>('#models');
    table.hidden = list.length === 0;
    const prod = list.find((x) => x.stage === 'production');
    table.tBodies[0].replaceChildren(
      ...list
        .sort((a, b) => b.version - a.version)
        .map((r) => {
          const tr = document.createElement('tr');
          tr.dataset.version = String(r.version);
          tr.dataset.stage = r.stage;
          const auc = Number.isFinite(r.metrics.auc) ? r.metrics.auc.toFixed(3) : '–';
          for (const v of [`v${r.version}`, r.stage, auc]) tr.append(el('td', v));
          const td = document.createElement('td');
          if (r.stage !== 'production') {
            td.append(
              button('Promote', 'promote', () => {
                void this.registry.promote(r.name, r.version).then(() => this.render());
              }),
            );
          }
          if (prod && prod.version !== r.version) {
            td.append(
              button('Shadow vs production', 'shadow', () => {
                void this.#shadow(r.version, prod.version);
              }),
            );
          }
          tr.append(td);
          return tr;
        }),
    );
    $<HTMLButtonElement>('#rollback').disabled = !prod;
  }

  async #shadow(candidate: number, production: number): Promise<void> {
    const f = featuresOf(this.current()!);
    const score = async (v: number): Promise<Float64Array> => {
      const m = deserializeModel((await this.registry.load(this.#name(), { version: v })).bytes);
      try {
        return m.score(f.data, { dims: f.dims });
      } finally {
        m.dispose();
      }
    };
    const r = await this.registry.recordShadow(
      this.#name(),
      candidate,
      await score(production),
      await score(candidate),
      { threshold: 0.6, productionVersion: production },
    );
    const out = $('#shadow');
    out.textContent =
      `Shadow v${r.version} vs production v${r.productionVersion} on ${r.n.toLocaleString('en')} windows: ` +
      `agreement ${(100 * r.agreement).toFixed(1)}% at score > 0.6, correlation ${r.correlation.toFixed(3)}, ` +
      `mean |difference| ${r.meanAbsDiff.toFixed(4)}.`;
    out.dataset.agreement = String(r.agreement);
  }

  async #rollback(): Promise<void> {
    try {
      const r = await this.registry.rollback(this.#name());
      $('#shadow').textContent = `Rolled back: production is v${r.version} again.`;
    } catch (e) {
      $('#shadow').textContent = messageOf(e);
    }
    await this.render();
  }

  async #train(): Promise<void> {
    const ds = this.current();
    if (!ds) return;
    const bar = $<HTMLProgressElement>('#train-progress');
    const st = $('#train-status');
    const job = new AbortController();
    this.#training = job;
    $<HTMLButtonElement>('#train').disabled = true;
    $<HTMLButtonElement>('#cancel-train').disabled = false;
    bar.value = 0;
    st.textContent = 'Training…';
    document.body.dataset.training = 'running';
    try {
      this.#worker ??= new Worker(new URL('../ml.worker.ts', import.meta.url), { type: 'module' });
      // NAB's labelled windows, when the series has them, give the model an AUC.
      const labels = ds.bands.length
        ? Float64Array.from(ds.timestamps, (t) => (inBand(ds, t) ? 1 : 0))
        : undefined;
      const r = await train(
        SPEC,
        { columns: { value: ds.values }, ts: ds.timestamps, labels },
        {
          model: 'isolation-forest',
          params: { trees: 100, sampleSize: 256, seed: Date.now() % 100_000 },
          onProgress: (p) => {
            // A progress message can still be in flight when the job is cancelled.
            if (job.signal.aborted) return;
            bar.value = p.fraction;
            st.textContent = `Training: ${p.phase} ${(100 * p.fraction).toFixed(0)}%`;
          },
          signal: job.signal,
          worker: this.#worker,
        },
      );
      const rec = await this.registry.register(this.#name(), r.bytes, {
        specHash: r.specHash,
        metrics: { auc: r.evaluation.auc ?? Number.NaN, trainingMs: r.evaluation.trainingMs },
      });
      const f = featuresOf(ds);
      const scores = r.model.score(f.data, { dims: f.dims });
      r.model.dispose();
      const order = [...scores.keys()].sort((x, y) => scores[y] - scores[x]);
      const top: number[] = [];
      for (const i of order) {
        const src = f.rows[i];
        if (top.every((j) => Math.abs(src - j) > 50)) top.push(src);
        if (top.length === 5) break;
      }
      st.textContent =
        `Registered ${rec.name} v${rec.version} (${rec.stage}) in ${r.evaluation.trainingMs.toFixed(0)} ms` +
        (Number.isFinite(r.evaluation.auc)
          ? `, AUC ${r.evaluation.auc?.toFixed(3)} against NAB's labels`
          : '') +
        '. Most isolated windows:';
      $('#train-top').replaceChildren(
        ...top.map((i) => {
          const t = ds.timestamps[i];
          return el('li', `${fmtTime(t)} UTC${inBand(ds, t) ? ' (in a labelled window)' : ''}`);
        }),
      );
      bar.value = 1;
      document.body.dataset.training = 'done';
      await this.render();
    } catch (e) {
      const cancelled = job.signal.aborted;
      st.textContent = cancelled ? 'Training cancelled.' : `Training failed: ${messageOf(e)}`;
      document.body.dataset.training = cancelled ? 'cancelled' : 'failed';
    } finally {
      $<HTMLButtonElement>('#train').disabled = false;
      $<HTMLButtonElement>('#cancel-train').disabled = true;
    }
  }
}
