/** What every resource group needs from the client: the transport and a clock for "today". */
import type { Transport } from '../http.js';

export interface ClientContext {
  transport: Transport;
  /** The client's clock; per-call `now` overrides it (tests, replays of past decisions). */
  now: () => Date;
}

/** Options every money-moving call accepts: an explicit "now" for date rules. */
export interface NowOption {
  now?: Date;
}

export const companyAuth = (companyId: string) => ({ companyId });
