import { resolve } from 'node:path';
import { AppConfig, LightningBackendConfig } from '../config/app-config';
import { DevBackend } from './dev/dev-backend';
import { LightningBackend } from './lightning-backend';

/** Builds the configured backend tree (a pool's members may be single nodes or clusters). */
export function createBackend(spec: LightningBackendConfig, config: AppConfig): LightningBackend {
  switch (spec.type) {
    case 'dev': {
      const keyPath = config.database.type === 'sqlite' && config.database.path !== ':memory:' ? resolve(config.database.path, '..', `${spec.name}-node.key`) : null;
      return new DevBackend(spec.name, keyPath);
    }
    default:
      throw new Error(`lightning.backend.type "${spec.type}" is not supported yet`);
  }
}
