/**
 * `mvx-common/config`: the whole logging and metrics system from one declarative document (JSON, or
 * YAML with the optional peer `yaml`). `configure(object)` / `configureFromFile(path)` validate it
 * strictly (errors name the path), build named sinks, contexts, recorders with their ready-made
 * metrics and the adapters it names (loaded on demand), and return one handle with `flush`,
 * `shutdown` and `stats`. The JSON Schema of the document ships as `mvx-common/config.schema.json`.
 * See docs/configuration.md.
 *
 * @module
 */
export { configure } from './build.ts';
export type { ConfigureOptions } from './build.ts';
export { configureFromFile, readConfigFile } from './file.ts';
export { validateConfig } from './validate.ts';
export { configJsonSchema } from './json-schema.ts';
export { ConfigDocumentError } from './errors.ts';
export { MvxSystem } from './system.ts';
export type { MvxSystemReport, MvxSystemStats } from './system.ts';
export type { ReloadResult, WatchOptions } from './reload.ts';
export { CONFIG_PATH_ENV, parseResourceAttributes } from './environment.ts';
export { LEVEL_ENV } from './apply-logging.ts';
export type { ConfigureAdapterOptions, AdapterComponent } from './adapters.ts';
export type {
  MvxConfigDocument,
  ConfigSink,
  ConfigContext,
  ConfigPayload,
  ConfigMetric,
  ConfigAsyncOptions,
  ConfigLevel,
} from './types.ts';
