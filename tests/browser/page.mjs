// What every step of the browser run uses: the app's paths, data-testid values (those of
// src/components/testIds.ts), opening a page, waiting for it and judging what it shows, and the
// `state` the steps share in order.

export const APP = '/a/kubedoor-capacity-app';
export const id = (name) => `data-testid kd-${name}`;
export const CLUSTER = 'demo';

/** What earlier steps established. */
export const state = { collected: false, controlEdited: false };

/** Opens a path in the host and waits until the plugin has mounted and `testId` is visible. */
export async function open(page, path, testId) {
  await page.goto(path);
  await page.waitForFunction(
    () => document.body.dataset.hostReady === 'true' || document.body.dataset.hostError,
    null,
    {
      timeout: 60_000,
    }
  );
  const hostError = await page.evaluate(() => document.body.dataset.hostError);
  if (hostError) {
    throw new Error(`the host could not start the plugin: ${hostError}`);
  }
  if (testId) {
    await page.getByTestId(testId).first().waitFor({ timeout: 60_000 });
  }
}

/** Waits until no loading placeholder is left. */
export async function settle(page, timeout = 60_000) {
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, `[data-testid="${id('loading')}"]`, {
    timeout,
  });
}

/** The error boxes on the page: routes that do not exist yet, and real failures. */
export async function errors(page) {
  const texts = await page.getByTestId(id('error')).allInnerTexts();
  const missing = texts
    .filter((t) => t.includes('no route'))
    .map((t) => t.split('\n').find((l) => l.includes('no route')));
  const other = texts.filter((t) => !t.includes('no route')).map((t) => t.replace(/\s+/g, ' ').trim());
  return { missing: [...new Set(missing)], other };
}

/** pass, or "backend missing" naming the routes, or a failure naming the errors. */
export async function verdict(page, what) {
  const { missing, other } = await errors(page);
  if (other.length > 0) {
    return { status: 'fail', detail: `${what}: ${other.join(' | ')}` };
  }
  if (missing.length > 0) {
    return { status: 'backend missing', detail: missing.join('; ') };
  }
  return { status: 'pass', detail: what };
}

export function expect(cond, message) {
  if (!cond) {
    throw new Error(message);
  }
}

export async function visible(locator) {
  return (await locator.count()) > 0 && (await locator.first().isVisible());
}
