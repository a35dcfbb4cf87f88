// Wasm imported as precompiled modules (wrangler.toml's CompiledWasm rule; the vitest pool loads any
// .wasm the same way). QuickJS variants export theirs under a bare `/wasm` subpath.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

declare module "@jitl/quickjs-wasmfile-release-sync/wasm" {
  const module: WebAssembly.Module;
  export default module;
}
