// The entry of a preview worker (a module worker started by web-ui/src/preview/workers.rs). It
// runs the page's own WebAssembly program, whose JS glue and .wasm the page names in this script's
// query; the program's start function, finding no window, serves preview bands
// (web-ui/src/preview/worker_side.rs). Only root paths of this origin are loaded.
const query = new URL(self.location.href).searchParams;
const rootPath = (name, extension) => {
  const path = query.get(name) || "";
  if (!/^\/[A-Za-z0-9_.-]+$/.test(path) || !path.endsWith(extension)) {
    throw new Error(`preview worker: ${name} must be a root path ending ${extension}, not ${path}`);
  }
  return path;
};
const glue = await import(rootPath("glue", ".js"));
await glue.default({ module_or_path: rootPath("wasm", ".wasm") });
