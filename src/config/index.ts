// The only entry point into config: main, the CLI and tests import from here.

export { configEnvVars } from './env.ts';
export { isLoopbackHost, type ListenAddress, parseListen } from './listen.ts';
export { type ConfigFlags, type LoadOptions, loadConfig } from './load.ts';
export { formatDuration, parseDuration } from './parse-duration.ts';
export { parseByteSize } from './parse-size.ts';
export { type AuthMode, checkListenSafety, listensOnLoopback, registryHostNames, resolveAuthMode } from './resolve.ts';
export { type Config, type ConfigInput, configJsonSchema, configSchema } from './schema.ts';
