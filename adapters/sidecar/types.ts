/**
 * The sidecar-agent's wire interface (JSON over HTTP + an SSE watch), as the seed's go-consul/agent
 * speaks it: snake_case bodies, paths configurable.
 */

/** `POST /register` body: the seed's ServiceNode (ServiceOptions plus what is derived from them). */
export interface ServiceNodeBody {
  app: Record<string, unknown>;
  kernel: Record<string, unknown>;
  service: Record<string, unknown>;
  protocol: string;
  server_port: number;
  managed_port: number;
  dns: string;
  run_date: string;
  proto_count: number;
  methods: string[];
}

/** `POST /drain` body. `grace_period` is a Go duration string ("10s"). */
export interface DrainRequest {
  app_id: string;
  app_instance_id: string;
  service_name: string;
  grace_period: string;
}

/** `POST /deregister` body. */
export interface DeregisterRequest {
  app_id: string;
  app_instance_id: string;
  service_name: string;
  service_port: number;
}

export interface SidecarPaths {
  /** Default `/watch` (seed DefaultWatchPath). */
  watch: string;
  /** Default `/register`. */
  register: string;
  /** Default `/drain`. */
  drain: string;
  /** Default `/deregister`. */
  deregister: string;
}

export const defaultSidecarPaths: Readonly<SidecarPaths> = Object.freeze({
  watch: '/watch',
  register: '/register',
  drain: '/drain',
  deregister: '/deregister',
});

/** The seed's `Client`: the three calls a service makes to its sidecar-agent. */
export interface SidecarClient {
  register(node: ServiceNodeBody, signal?: AbortSignal): Promise<void>;
  drain(request: DrainRequest, signal?: AbortSignal): Promise<void>;
  deregister(request: DeregisterRequest, signal?: AbortSignal): Promise<void>;
}

/** The three kinds of watch event. */
export type ConnectionEventType = 'connected' | 'heartbeat' | 'disconnected';

/** A usable watch event (the seed's ConnectionEvent without its Go-side fields). */
export interface ConnectionEvent {
  type: ConnectionEventType;
  /** The SSE `id:`; absent when the agent sent none. */
  id?: string;
  message?: string;
  service?: string;
  status?: string;
  lifecycleState?: string;
  ready?: boolean;
  generatedAt?: string;
}

/** A watch event's fields without its type. */
export type ConnectionEventFields = Omit<ConnectionEvent, 'type'>;

/** One raw SSE frame, as eventsource-parser hands it over. */
export interface SseFrame {
  event?: string | undefined;
  id?: string | undefined;
  data: string;
}
