/** A minimal min/max-decimated line chart on a canvas (the dashboard issue brings uPlot). */
export function drawLine(canvas: HTMLCanvasElement, values: Float64Array): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (values.length === 0) return;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const y = (v: number): number => h - 4 - ((v - lo) / span) * (h - 8);
  ctx.strokeStyle =
    getComputedStyle(document.documentElement).getPropertyValue('--accent') || '#0b6bcb';
  ctx.lineWidth = 1;
  ctx.beginPath();
  const per = values.length / w;
  for (let px = 0; px < w; px++) {
    const a = Math.floor(px * per);
    const b = Math.max(a + 1, Math.floor((px + 1) * per));
    let mn = Number.POSITIVE_INFINITY;
    let mx = Number.NEGATIVE_INFINITY;
    for (let i = a; i < b && i < values.length; i++) {
      if (values[i] < mn) mn = values[i];
      if (values[i] > mx) mx = values[i];
    }
    if (px === 0) ctx.moveTo(px, y(mn));
    ctx.lineTo(px, y(mn));
    ctx.lineTo(px, y(mx));
  }
  ctx.stroke();
}
