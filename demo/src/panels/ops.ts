/** The metrics exposition panel and the sync panel (outbox and sender figures). */
import type { Runtime } from 'edgewise';
import { $, el } from '../dom';

export function mountExpositionPanel(rt: Runtime): void {
  const render = async (): Promise<void> => {
    const fmt = $<HTMLSelectElement>('#format').value as 'prometheus' | 'openmetrics';
    $('#exposition').textContent = await rt.metrics.exposition(fmt);
  };
  $('#format').addEventListener('change', () => void render());
  setInterval(() => void render(), 2000);
  void render();
}

/** Where the sync endpoint is saved between visits. */
const KEY = 'edgewise-demo-sync';

/** The endpoint to sync to: `?sync=...`, else the saved one; '' keeps everything local. */
export const syncEndpoint = (params: URLSearchParams): string =>
  params.get('sync') ?? localStorage.getItem(KEY) ?? '';

export function mountSyncPanel(rt: Runtime, endpoint: string): void {
  let lastSent = 0;
  let lastSuccess = 0;
  const render = async (): Promise<void> => {
    const sync = rt.sync;
    if (!sync) return;
    const o = await sync.outbox.stats();
    const s = sync.sender?.stats;
    if (s && s.pointsSent > lastSent) {
      lastSent = s.pointsSent;
      lastSuccess = Date.now();
    }
    const dropped = Object.values(o.dropped).reduce((n, d) => n + d.entries, 0);
    const rows: [string, string][] = [
      ['Endpoint', endpoint],
      [
        'Outbox',
        `${o.entries} entries, ${(o.bytes / 1024).toFixed(1)} KiB, ${o.parked} parked, ${dropped} dropped`,
      ],
      ['Sent', s ? `${s.pointsSent} points in ${s.batchesSent} batches` : '-'],
      ['Requests', s ? `${s.requests} (${s.failures} failed, ${s.retries} retries)` : '-'],
      ['Last success', lastSuccess ? new Date(lastSuccess).toLocaleTimeString() : 'not yet'],
    ];
    const dl = $('#sync-stats');
    dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', k), el('dd', v)]));
    dl.hidden = false;
    dl.dataset.pointsSent = String(s?.pointsSent ?? 0);
    $('#sync-status').textContent = navigator.onLine
      ? 'Syncing: samples and anomaly events go through a durable outbox in IndexedDB.'
      : 'Offline: the outbox keeps everything until the network is back.';
  };
  $<HTMLInputElement>('#sync-endpoint').value = endpoint;
  $<HTMLFormElement>('#sync-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = $<HTMLInputElement>('#sync-endpoint').value.trim();
    if (v) localStorage.setItem(KEY, v);
    else localStorage.removeItem(KEY);
    location.reload();
  });
  setInterval(() => void render(), 1000);
}
