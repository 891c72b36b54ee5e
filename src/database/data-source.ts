// Used by the TypeORM CLI (migration:generate / migration:run) with the same configuration as the app.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config';
import { enabledPluginTables } from '../plugins/registry';
import { dataSourceOptions } from './data-source-options';

const config = loadConfig();
export default new DataSource(dataSourceOptions(config.database, enabledPluginTables(config)));
