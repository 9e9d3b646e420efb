import type { DeregisterRequest, DrainRequest, ServiceNodeBody } from '../../adapters/sidecar/types.js';

/**
 * The service's own description (the seed's ServiceOptions / ServiceNode) and what is derived from
 * it: the register body, the drain and deregister requests, the DNS name and the method list.
 */
export interface AppConfig {
  /** The application id (`app_id` of drain and deregister). */
  id: string;
  /** This instance's id (`app_instance_id`). */
  instanceId: string;
  [key: string]: unknown;
}

export interface ServiceConfig {
  /** The logical service name (`service_name`). */
  name: string;
  /** The DNS domain `buildDns` appends. Default `svc.local`. */
  domain?: string;
  [key: string]: unknown;
}

export interface ServiceOptions {
  app: AppConfig;
  /** Kernel settings, passed through to the agent as they are (keys in snake_case on the wire). */
  kernel?: Record<string, unknown>;
  service: ServiceConfig;
  /** `grpc` or `http`. */
  protocol: string;
  serverPort: number;
  /** The admin/health port. Default 0 (none). */
  managedPort?: number;
}

/** A gRPC service definition, duck-typed (no grpc dependency): grpc-js `ServiceDefinition` or a Go-style `ServiceDesc`. */
export type GrpcServiceLike =
  | Record<string, { path?: unknown } | unknown>
  | { serviceName: string; methods?: Array<{ methodName: string }>; streams?: Array<{ streamName: string }> };

/**
 * The seed's BuildGRPCMethods: every full method path (`/pkg.Service/Method`), sorted and unique.
 * Accepts grpc-js definitions (each method carries its `path`), Go-style descriptors
 * (`serviceName` + `methods`/`streams`), as an array or a record of them; anything else is skipped.
 */
export function methodsFromGrpcServices(services: readonly GrpcServiceLike[] | Record<string, GrpcServiceLike> | undefined): string[] {
  const list = services === undefined ? [] : Array.isArray(services) ? services : Object.values(services);
  const methods = new Set<string>();
  for (const service of list) {
    if (typeof service !== 'object' || service === null) continue;
    const desc = service as { serviceName?: unknown; methods?: unknown; streams?: unknown };
    if (typeof desc.serviceName === 'string') {
      for (const m of Array.isArray(desc.methods) ? desc.methods : []) {
        if (typeof m?.methodName === 'string') methods.add(`/${desc.serviceName}/${m.methodName}`);
      }
      for (const s of Array.isArray(desc.streams) ? desc.streams : []) {
        if (typeof s?.streamName === 'string') methods.add(`/${desc.serviceName}/${s.streamName}`);
      }
      continue;
    }
    for (const method of Object.values(service)) {
      const path = (method as { path?: unknown } | null)?.path;
      if (typeof path === 'string' && path.startsWith('/')) methods.add(path);
    }
  }
  return [...methods].sort();
}

/** How many services `methodsFromGrpcServices` would read (the seed's `proto_count`). */
export function countServices(services: readonly GrpcServiceLike[] | Record<string, GrpcServiceLike> | undefined): number {
  if (services === undefined) return 0;
  return Array.isArray(services) ? services.length : Object.keys(services).length;
}

const dnsLabel = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'x';

/**
 * The name the agent registers the service under: `<service>.<app>.<domain>`, each label lowered
 * and reduced to DNS characters (`Orders_API` → `orders-api`). The seed does not publish its exact
 * rule; this one is stable and documented, and hosts with another convention send their own `dns`.
 */
export function buildDns(options: Pick<ServiceOptions, 'app' | 'service'>): string {
  return `${dnsLabel(options.service.name)}.${dnsLabel(options.app.id)}.${options.service.domain ?? 'svc.local'}`;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function toSnakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), toSnakeKeys(v)]));
}

export interface NodeExtras {
  services?: readonly GrpcServiceLike[] | Record<string, GrpcServiceLike>;
  dns?: string;
  /** When the process started serving; default: now. */
  runDate?: Date;
}

/** The `POST /register` body (the seed's NewServiceNode), built once: every replay sends the same node. */
export function buildServiceNode(options: ServiceOptions, extras: NodeExtras = {}): ServiceNodeBody {
  return {
    app: toSnakeKeys(options.app) as Record<string, unknown>,
    kernel: toSnakeKeys(options.kernel ?? {}) as Record<string, unknown>,
    service: toSnakeKeys(options.service) as Record<string, unknown>,
    protocol: options.protocol,
    server_port: options.serverPort,
    managed_port: options.managedPort ?? 0,
    dns: extras.dns ?? buildDns(options),
    run_date: (extras.runDate ?? new Date()).toISOString(),
    proto_count: countServices(extras.services),
    methods: methodsFromGrpcServices(extras.services),
  };
}

export function buildDrainRequest(options: ServiceOptions, gracePeriod: string): DrainRequest {
  return { app_id: options.app.id, app_instance_id: options.app.instanceId, service_name: options.service.name, grace_period: gracePeriod };
}

export function buildDeregisterRequest(options: ServiceOptions): DeregisterRequest {
  return { app_id: options.app.id, app_instance_id: options.app.instanceId, service_name: options.service.name, service_port: options.serverPort };
}
