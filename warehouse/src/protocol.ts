// `#protocol` inside this workspace. A package's `imports` may only point inside the package, and
// warehouse/ is a package of its own, so its `#protocol` lands here and goes on to the one source
// of the wire format, the root package's `#protocol` (sdk/src/protocol.ts).
export * from '../../sdk/src/protocol.ts';
