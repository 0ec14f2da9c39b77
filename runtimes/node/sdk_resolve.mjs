// An ES module resolve hook (registered by bootstrap.mjs): a bare specifier a function's module
// cannot resolve from its own directory (no node_modules of its own with it) is resolved from
// the runtime's node_modules, where setup installs the AWS SDK for JS v3, as AWS's nodejs
// runtimes provide it. CommonJS require() finds the same folder through NODE_PATH.
const RUNTIME_DIR = new URL('./', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');
    if (!bare || e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    return nextResolve(specifier, { ...context, parentURL: RUNTIME_DIR + 'bootstrap.mjs' });
  }
}
