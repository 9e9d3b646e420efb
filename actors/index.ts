export type { Facade, HostEnv } from './facade.js';
