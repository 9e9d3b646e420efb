import type { SnapshotFrom } from 'xstate';
import type { SidecarMachine } from './sidecar.js';
import type { SidecarReport } from './options.js';

/**
 * The seed's `Status` (every field), derived from a snapshot of the sidecar chart, plus the run
 * stage and the counters statewire adds. Times are ISO strings (empty when never), like the seed's.
 */
export interface SidecarStatus {
  connected: boolean;
  registered: boolean;
  lastServiceName: string;
  lastServicePort: number;
  lastEventType: string;
  lastEventId: string;
  lastEventAt: string;
  lastConnectedAt: string;
  lastDisconnectedAt: string;
  disconnectCount: number;
  registerReplayCount: number;
  registerReplayFailureCount: number;
  lastErrorKind: string;
  lastError: string;
  lastErrorAt: string;
  /** Where `run()` is: idle, lifecycle, serve, shutdown, agent_shutdown or stopped. */
  stage: string;
  /** Where the watch is: connecting, registering, retry_wait, registered, disconnected or off. */
  watch: string;
  /** Watch frames that could not be used (bad JSON, unknown event type). */
  invalidEventCount: number;
  /** Failed or ended watch connections (non-200, refused, closed by the server, stale). */
  watchErrorCount: number;
  /** What the sidecar-agent last reported about itself. */
  sidecar: SidecarReport;
}

const iso = (at: number | null) => (at === null ? '' : new Date(at).toISOString());

export function sidecarStatus(snapshot: SnapshotFrom<SidecarMachine>): SidecarStatus {
  const c = snapshot.context;
  return {
    connected: c.connected,
    registered: c.registered,
    // The seed reports the last *successfully registered* name and port.
    lastServiceName: c.counts.registerReplays > 0 ? c.service.name : '',
    lastServicePort: c.counts.registerReplays > 0 ? c.service.port : 0,
    lastEventType: c.last.eventType ?? '',
    lastEventId: c.lastEventId ?? '',
    lastEventAt: iso(c.last.eventAt),
    lastConnectedAt: iso(c.last.connectedAt),
    lastDisconnectedAt: iso(c.last.disconnectedAt),
    disconnectCount: c.counts.disconnects,
    registerReplayCount: c.counts.registerReplays,
    registerReplayFailureCount: c.counts.registerReplayFailures,
    lastErrorKind: c.lastError?.kind ?? '',
    lastError: c.lastError?.message ?? '',
    lastErrorAt: iso(c.lastError?.at ?? null),
    stage: runStage(snapshot),
    watch: watchState(snapshot),
    invalidEventCount: c.counts.invalidEvents,
    watchErrorCount: c.counts.watchErrors,
    sidecar: { ...c.sidecar },
  };
}

function runStage(snapshot: SnapshotFrom<SidecarMachine>): string {
  const value = snapshot.value as { run: string | Record<string, string> };
  return typeof value.run === 'string' ? value.run : Object.keys(value.run)[0] ?? '';
}

function watchState(snapshot: SnapshotFrom<SidecarMachine>): string {
  if (snapshot.matches({ watch: 'disconnected' })) return 'disconnected';
  if (snapshot.matches({ watch: 'off' })) return 'off';
  if (snapshot.matches({ watch: { open: { link: 'connecting' } } })) return 'connecting';
  if (snapshot.matches({ watch: { open: { link: { connected: 'registering' } } } })) return 'registering';
  if (snapshot.matches({ watch: { open: { link: { connected: 'retryWait' } } } })) return 'retry_wait';
  return 'registered';
}
