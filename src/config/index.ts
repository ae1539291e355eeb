// The config module's public surface: load once, validate, freeze; plus the derived decisions.
export { loadConfig, type LoadOptions } from './load.ts';
export { configJsonSchema, configSchema, type Config, type ConfigInput } from './schema.ts';
export { checkListenSafety, isLoopback, listenHost, resolveAuthMode } from './resolve.ts';
export { parseDuration, parseSize } from './units.ts';
