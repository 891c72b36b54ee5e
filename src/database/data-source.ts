// Used by the TypeORM CLI (migration:generate / migration:run) with the same configuration as the app.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config';
import { dataSourceOptions } from './data-source-options';

export default new DataSource(dataSourceOptions(loadConfig().database));
