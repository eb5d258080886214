// Reads of the browser run's cluster straight from its kube-apiserver, with the admin kubeconfig
// the devhost serves at /devhost/kubeconfig: steps compare what a page shows with what the
// cluster holds, without going through the backend under test.
import https from 'node:https';

let credentials;

async function loadCredentials(url) {
  const res = await fetch(`${url}/devhost/kubeconfig`);
  if (!res.ok) {
    throw new Error(`GET /devhost/kubeconfig: ${res.status}`);
  }
  const text = await res.text();
  // internal/testenv writes one cluster and one user with embedded credentials.
  const field = (key) => {
    const m = text.match(new RegExp(`^\\s*${key}: (\\S+)$`, 'm'));
    if (!m) {
      throw new Error(`the devhost's kubeconfig has no ${key}`);
    }
    return m[1];
  };
  const pem = (key) => Buffer.from(field(key), 'base64');
  return {
    server: field('server'),
    ca: pem('certificate-authority-data'),
    cert: pem('client-certificate-data'),
    key: pem('client-key-data'),
  };
}

/** GET apiPath from the cluster; the parsed JSON, or null for 404. */
export async function kubeGet(url, apiPath) {
  credentials ??= loadCredentials(url);
  const { server, ca, cert, key } = await credentials;
  return new Promise((resolve, reject) => {
    const req = https.get(new URL(apiPath, server), { ca, cert, key, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode === 404) {
          resolve(null);
        } else if (res.statusCode !== 200) {
          reject(new Error(`GET ${apiPath}: ${res.statusCode} ${body.slice(0, 200)}`));
        } else {
          resolve(JSON.parse(body));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${apiPath}: timed out`)));
    req.on('error', reject);
  });
}

/**
 * The pods of Deployment namespace/name as the cluster holds them: those its `app` selector
 * matches (internal/demofleet labels every workload so) and those isolated from it (docs/pods.md).
 */
export async function deploymentPods(url, namespace, name) {
  const list = await kubeGet(url, `/api/v1/namespaces/${namespace}/pods`);
  return list.items.filter(
    (p) =>
      p.metadata.labels?.app === name || p.metadata.annotations?.['kubedoor.io/isolated-from'] === `Deployment/${name}`
  );
}

/** Polls `probe` until it returns something truthy (that value), or throws naming `what`. */
export async function waitUntil(probe, what, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}`);
}
