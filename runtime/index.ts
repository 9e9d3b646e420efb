export { createRuntime, type Runtime } from './runtime.js';
export { createTraceRecorder, readTrace, type TraceRecord, type TraceRecorder, type TraceRecorderOptions } from './trace.js';
export { defaultRestartPolicy, decideRestart, type RestartPolicy, type RestartDecision } from './restart-policy.js';
export { rearmDelays } from '../machines/xstate-internals.js';
export { metricFamilies, renderMetrics, type ActorMetricsSource, type MetricFamily } from './metrics.js';
export { registerRuntimeMetrics, type PromClient } from './prometheus.js';
export type { StatusServer, StatusServerOptions } from './status-server.js';
export type { ActorStatus, HostedActor, HostedFacade, HostedStatus, RuntimeEvents, RuntimeOptions, Spawnable, SpawnInput, SpawnOptions, StopOptions, StopOutcome, StopReport } from './types.js';
export { toMermaid, type MermaidOptions } from './mermaid.js';
