// Pin sync's public face: the use case, its limits and the reference reader the CLI and docs share.
export { type DocumentFormat, parsePinSetDocument } from './documents.ts';
export { type ImageReference, parseImageReference } from './reference.ts';
export * from './sync.ts';
