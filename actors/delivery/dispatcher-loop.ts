import { createActor, fromPromise } from 'xstate';
import type { Logger } from '../../adapters/logger.js';
import { describeError } from '../../errors/base.js';
import { deliveryLoopMachine, type ScanResult } from '../../machines/delivery/loop.js';
import type { DeliverySettings } from './settings.js';

export interface DispatcherLoopDeps {
  scan(): Promise<ScanResult>;
  cleanUp(): Promise<number>;
  drain(): Promise<void>;
  loopIntervalMs: number | undefined;
  autoCleanIntervalMs: number;
  actorOptions: DeliverySettings['actorOptions'];
  logger: Logger;
}

/** The facade's root actor: the dispatcher loop (machines/delivery/loop.ts), started. */
export function startDispatcherLoop(deps: DispatcherLoopDeps) {
  const loop = createActor(
    deliveryLoopMachine.provide({
      actors: {
        scan: fromPromise<ScanResult, void>(() => deps.scan()),
        clean: fromPromise<number, void>(() => deps.cleanUp()),
        drain: fromPromise<void, void>(() => deps.drain()),
      },
    }),
    { input: { loopIntervalMs: deps.loopIntervalMs, autoCleanIntervalMs: deps.autoCleanIntervalMs }, ...deps.actorOptions },
  );
  loop.subscribe({ error: (error) => deps.logger.error('delivery loop failed', { error: describeError(error) }) });
  loop.start();
  return loop;
}

export type DispatcherLoop = ReturnType<typeof startDispatcherLoop>;
