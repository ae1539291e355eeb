// The only entry point into config: main, the CLI and tests import from here.
export { configSchema, configJsonSchema, type Config, type ConfigInput } from './schema.ts';
export { loadConfig, type ConfigFlags, type LoadOptions } from './load.ts';
export { checkListenSafety, listensOnLoopback, resolveAuthMode, type AuthMode } from './resolve.ts';
export { configEnvVars } from './env.ts';
export { parseDuration, formatDuration } from './parse-duration.ts';
export { parseByteSize } from './parse-size.ts';
export { parseListen, isLoopbackHost, type ListenAddress } from './listen.ts';
