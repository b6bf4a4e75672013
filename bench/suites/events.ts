import { EventBus } from 'edgewise/events';
import EventEmitter from 'eventemitter3';
import mitt from 'mitt';
import { consume, type Workload } from '../harness';

/**
 * Event bus throughput. mitt and eventemitter3 are synchronous with no queue;
 * edgewise is measured both queued (emit + flush through the bounded priority
 * queue) and synchronous (emitSync). The buses are `new EventBus()` with the
 * default options (capacity 65,536, overflow 'caller-runs'): the 1M-event
 * burst overflows the queue, so most events are dispatched inline by emit
 * (no promise per event, nothing dropped; checked after each run).
 */
function noLoss(bus: EventBus): void {
  const s = bus.stats;
  if (s.dropped + s.droppedBySubscriptions !== 0 || s.dispatched !== s.emitted) {
    throw new Error(`events bench: the bus lost events (${JSON.stringify(s)})`);
  }
}

export default async function suite(): Promise<Workload[]> {
  const n = 1_000_000;
  const payload = { value: 1 };

  // one exact-topic subscriber each
  let acc = 0;
  const handler = (p: { value: number }): void => {
    acc += p.value;
  };
  // the default bus (capacity 65,536, 'caller-runs'): a 1M burst overflows the queue
  const bus = new EventBus();
  bus.on('sensor.temp', handler);
  const m = mitt<{ 'sensor.temp': { value: number } }>();
  m.on('sensor.temp', handler);
  const ee = new EventEmitter();
  ee.on('sensor.temp', handler);

  const peers = [
    {
      name: 'mitt (sync)',
      run: () => {
        for (let i = 0; i < n; i++) m.emit('sensor.temp', payload);
        consume(acc);
      },
    },
    {
      name: 'eventemitter3 (sync)',
      run: () => {
        for (let i = 0; i < n; i++) ee.emit('sensor.temp', payload);
        consume(acc);
      },
    },
  ];

  // 10,000 wildcard subscriptions on other topics + one matching wildcard subscription
  const wbus = new EventBus();
  const wm = mitt();
  const wee = new EventEmitter();
  const noop = (): void => {};
  for (let i = 0; i < 10_000; i++) {
    const pat = i % 2 ? `device${i}.*` : `device${i}.#`;
    wbus.on(pat, noop);
    wm.on(`device${i}.x`, noop);
    wee.on(`device${i}.x`, noop);
  }
  wbus.on('sensor.*', handler);
  wm.on('sensor.temp', handler as never);
  wee.on('sensor.temp', handler);

  return [
    {
      suite: 'events',
      name: 'queued emit + flush, 1 exact-topic subscriber, 1M events',
      items: n,
      unit: 'events',
      ours: 'edgewise emit+flush',
      impls: [
        {
          name: 'edgewise emit+flush',
          run: async () => {
            for (let i = 0; i < n; i++) bus.emit('sensor.temp', payload);
            await bus.flush();
            noLoss(bus);
            consume(acc);
          },
        },
        ...peers,
      ],
    },
    {
      suite: 'events',
      name: 'emitSync, 1 exact-topic subscriber, 1M events',
      items: n,
      unit: 'events',
      ours: 'edgewise emitSync',
      impls: [
        {
          name: 'edgewise emitSync',
          run: () => {
            for (let i = 0; i < n; i++) bus.emitSync('sensor.temp', payload);
            consume(acc);
          },
        },
        ...peers,
      ],
    },
    {
      suite: 'events',
      name: "wildcard 'sensor.*' among 10,000 wildcard subscriptions on other topics, 1M events",
      items: n,
      unit: 'events',
      ours: 'edgewise emit+flush (wildcard)',
      impls: [
        {
          name: 'edgewise emit+flush (wildcard)',
          run: async () => {
            for (let i = 0; i < n; i++) wbus.emit('sensor.temp', payload);
            await wbus.flush();
            noLoss(wbus);
            consume(acc);
          },
        },
        {
          name: 'edgewise emitSync (wildcard)',
          run: () => {
            for (let i = 0; i < n; i++) wbus.emitSync('sensor.temp', payload);
            consume(acc);
          },
        },
        {
          name: 'mitt exact (10k other topics)',
          run: () => {
            for (let i = 0; i < n; i++) wm.emit('sensor.temp', payload);
            consume(acc);
          },
        },
        {
          name: 'eventemitter3 exact (10k other topics)',
          run: () => {
            for (let i = 0; i < n; i++) wee.emit('sensor.temp', payload);
            consume(acc);
          },
        },
      ],
      notes: {
        'mitt exact (10k other topics)': 'no multi-level wildcards in mitt: exact topic',
        'eventemitter3 exact (10k other topics)': 'no wildcards in eventemitter3: exact topic',
      },
    },
  ];
}
