// A minimal AMD loader, standing in for Grafana's SystemJS: it loads a plugin's built module.js
// (webpack `library: amd`, anonymous define) and hands it the modules Grafana shares with plugins.
// An unknown dependency fails loudly, so a bundle expecting something Grafana provides but this
// host does not is caught instead of half-working.

type Factory = (...deps: unknown[]) => unknown;
interface Pending {
  deps: string[];
  factory: Factory;
}

declare global {
  interface Window {
    define?: ((deps: string[] | Factory, factory?: Factory) => void) & { amd?: object };
  }
}

let pending: Pending | undefined;

function installDefine() {
  const define = (deps: string[] | Factory, factory?: Factory) => {
    pending = typeof deps === 'function' ? { deps: [], factory: deps } : { deps, factory: factory! };
  };
  window.define = Object.assign(define, { amd: {} });
}

const cache = new Map<string, Promise<unknown>>();

/** Loads an AMD module from `url`, resolving its dependencies from `shared`. */
export function loadAmd(url: string, shared: Record<string, unknown>): Promise<unknown> {
  let p = cache.get(url);
  if (!p) {
    p = new Promise((resolve, reject) => {
      installDefine();
      const script = document.createElement('script');
      script.src = url;
      script.async = false;
      script.onerror = () => reject(new Error(`could not load ${url}`));
      script.onload = () => {
        const def = pending;
        pending = undefined;
        if (!def) {
          reject(new Error(`${url} did not call define()`));
          return;
        }
        try {
          const args = def.deps.map((name) => {
            if (name === 'module') {
              // webpack's public path comes from the module's own URL (grafana-public-path).
              return { uri: new URL(url, window.location.href).pathname, id: url };
            }
            if (!(name in shared)) {
              throw new Error(`${url} needs "${name}", which the host does not provide`);
            }
            return shared[name];
          });
          resolve(def.factory(...args));
        } catch (err) {
          reject(err);
        }
      };
      document.head.appendChild(script);
    });
    cache.set(url, p);
  }
  return p;
}
