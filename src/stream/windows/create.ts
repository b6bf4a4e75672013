import type { Resolved } from '../options';
import { checkPaneBudget } from './budget';
import { CountWindows } from './count';
import { SessionWindows } from './session';
import { SlidingWindows } from './sliding';
import type { WindowContext, WindowStrategy } from './strategy';
import { TumblingWindows } from './tumbling';

/**
 * The window strategy of a configuration: tumbling (and sliding windows of one
 * pane, slide = size), sliding (Two-Stacks over panes; refused with
 * `INVALID_ARGUMENT` above `maxPanes`), session or count.
 */
export function createWindows<E>(o: Resolved<E>, cx: WindowContext): WindowStrategy {
  switch (o.kind) {
    case 'session':
      return new SessionWindows(o.gap, cx);
    case 'count':
      return new CountWindows(o.size, cx);
    default: {
      if (o.panesPerWindow === 1) return new TumblingWindows(o.pane, o.offset, cx);
      const g = {
        pane: o.pane,
        a: o.panesPerWindow,
        b: o.panesPerSlide,
        offset: o.offset,
        lateness: o.lateness,
      };
      checkPaneBudget(o.size, o.slide, g, o.maxPanes);
      return new SlidingWindows(g, cx);
    }
  }
}
