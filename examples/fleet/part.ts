import type { Facade, HostEnv } from '../../actors/host.js';

/**
 * One behaviour's share of the fleet demo: the facades the fleet hosts, the reference peers they
 * talk to (started on loopback by `start()`), and a line of key counters for the live table.
 */
export interface DemoPart {
  /** The faults this part stages on purpose, in one line: the banner tells the reader they are expected. */
  staged: string;
  /** The fleet spawns each with `runtime.spawn(create, { id })`. */
  actors: Array<{ id: string; create: (env: HostEnv) => Facade }>;
  /** Key counters for one actor, shown in the live status table (short: "acked=12 queued=0"). */
  summary(id: string): string;
  /** Stops the load this part drives and its reference peers. Called after the runtime stopped. */
  stop(): Promise<void>;
}
