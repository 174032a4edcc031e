// Everything the construct modules export, internal helpers included, for the
// library's own modules and tests. The public list is the package's index.ts.
export * from './app';
export * from './check-props';
export * from './credentials';
export * from './define-plugin';
export * from './delivery';
export * from './errors';
export * from './labels';
export * from './mesh-service';
export * from './namespace';
export * from './references';
export * from './target-ref';
export * from './wasm-plugin';
export * from './waypoint';
export * from './plugins/basic-auth';
export * from './plugins/catalogue';
export * from './plugins/grpc-access-logging';
export * from './plugins/local-rate-limit';
export * from './plugins/open-policy-agent';
export * from './patterns';
