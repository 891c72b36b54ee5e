import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppConfig } from './app-config';
import { ConfigError } from './load-config';

/** Why a folder cannot hold the database, in the operator's words rather than a syscall's. */
function reason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a file is in the way (it must be a folder)';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'this user may not write there';
    case 'ENOENT':
      return 'it cannot be created there';
    default:
      return err.code ?? err.message;
  }
}

/**
 * Creates the folder of the SQLite database (DATA_DIR) before anything opens it, so that a folder
 * that cannot be used is one line naming the setting, not a stack trace from deep in start-up.
 */
export function prepareDataDir(config: AppConfig): void {
  if (config.database.type !== 'sqlite' || config.database.path === ':memory:') return;
  const dir = dirname(resolve(config.database.path));
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new ConfigError([`dataDir (DATA_DIR) / database.path: cannot keep the SQLite database in ${dir}: ${reason(err as NodeJS.ErrnoException)}`]);
  }
}
