import { DynamicModule, Injectable, Logger, Module, OnModuleInit, Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { pluginManifest, pluginOptionsToken } from './checkout-plugin.decorator';
import { DisabledPlugin, LoadedPlugin } from './plugin-config';
import { PluginCoreModule } from './plugin-core.module';
import { enabledPlugins, EnabledPlugins } from './registry';

export class PluginsReport {
  constructor(
    readonly loaded: { name: string; version: string }[],
    readonly disabled: DisabledPlugin[],
  ) {}
}

@Injectable()
class PluginsStartupLog implements OnModuleInit {
  private readonly logger = new Logger('Plugins');
  constructor(private readonly report: PluginsReport) {}

  onModuleInit(): void {
    for (const { name, reason } of this.report.disabled) this.logger.error({ plugin: name, reason }, `plugin ${name} disabled: ${reason}`);
    if (this.report.loaded.length > 0)
      this.logger.log({ plugins: this.report.loaded }, `plugins loaded: ${this.report.loaded.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  }
}

function pluginModule({ name, plugin, options }: LoadedPlugin): DynamicModule {
  const { configSchema } = pluginManifest(plugin);
  const providers: Provider[] = [{ provide: pluginOptionsToken(name), useValue: options }];
  // The config class doubles as a typed injection token: `constructor(options: WooCommerceOptions)`.
  if (configSchema) providers.push({ provide: configSchema, useValue: options });
  return { module: plugin, providers };
}

/** Loads the plugins named in `plugins.enabled`, each with its validated options. */
@Module({})
export class PluginsModule {
  static forRoot(config: AppConfig, plugins: EnabledPlugins = enabledPlugins(config)): DynamicModule {
    const { loaded, disabled } = plugins;
    const report = new PluginsReport(
      loaded.map((p) => ({ name: p.name, version: pluginManifest(p.plugin).version })),
      disabled,
    );
    return {
      module: PluginsModule,
      imports: [PluginCoreModule, ...loaded.map(pluginModule)],
      providers: [{ provide: PluginsReport, useValue: report }, PluginsStartupLog],
      exports: [PluginsReport],
    };
  }
}
