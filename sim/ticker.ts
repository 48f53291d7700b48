/**
 * Async transitions are evaluated lazily on read; this light background tick settles whatever is
 * due even when nobody reads, so webhooks fire on time. It only visits records with a transition
 * ahead of them (the store's pending sets), never the whole customer base.
 */
import type { Sim } from './context.js';
import { settleContractor } from './contractor-state.js';
import { settlePayment } from './funding.js';
import { settlePayroll } from './payroll-state.js';

export function settleAll(sim: Sim, nowMs: number): void {
  const { store } = sim;
  for (const id of [...store.pending.payrolls]) {
    const payroll = store.payrolls.get(id);
    if (payroll) settlePayroll(sim, payroll, nowMs);
    else store.pending.payrolls.delete(id);
  }
  for (const id of [...store.pending.payments]) {
    const payment = store.payments.get(id);
    if (payment) settlePayment(store, payment, nowMs);
    else store.pending.payments.delete(id);
  }
  for (const id of [...store.pending.contractors]) {
    const contractor = store.contractors.get(id);
    if (contractor) settleContractor(store, contractor, nowMs);
    else store.pending.contractors.delete(id);
  }
}

/** Starts the tick; returns a function that stops it. The timer never keeps the process alive. */
export function startTicker(sim: Sim, intervalMs: number, onNow: (now: Date) => void = () => {}): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sim.clock
      .now()
      .then((now) => {
        onNow(now);
        settleAll(sim, now.getTime());
      })
      .catch((err: unknown) => sim.log(`ticker: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
