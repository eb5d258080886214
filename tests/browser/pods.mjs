// The Pods drawer of the control table (src/pages/ControlTable/PodsDrawer.tsx, docs/pods.md) on
// the browser run's cluster, where kwok runs internal/demofleet's pods: an Editor lists a
// Deployment's pods and checks them against the cluster, isolates one (the Deployment starts a
// replacement), then deletes the isolated pod; a Viewer sees the same list without isolate or
// delete, and the backend refuses both to a Viewer.
import { deploymentPods, kubeGet, waitUntil } from './kube.mjs';
import { APP, CLUSTER, expect, id, open, settle, state, verdict, visible } from './page.mjs';

// internal/demofleet's shop/search: a Deployment of two replicas that no earlier step resizes.
const NS = 'shop';
const NAME = 'search';
// @grafana/e2e-selectors' ConfirmModal.delete and Drawer.General.close.
const CONFIRM = 'data-testid Confirm Modal Danger Button';
const DRAWER_CLOSE = 'data-testid Drawer close';

const isolated = (p) => p.metadata.labels?.['kubedoor.io/isolated'] === 'true';
const serving = (p) => !isolated(p) && !p.metadata.deletionTimestamp && p.status?.phase === 'Running';
const names = (pods) => pods.map((p) => p.metadata.name).sort();

/** Awaits `promise`; a failure names what was awaited (Playwright's messages do not). */
async function awaiting(what, promise) {
  try {
    return await promise;
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/**
 * The Deployment's pods once the cluster is at rest: as many serving pods as it has replicas,
 * none terminating, and `also(pods)` holds; null before.
 */
async function restingPods(url, also = () => true) {
  const dep = await kubeGet(url, `/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`);
  expect(dep, `the cluster has no Deployment ${NS}/${NAME}`);
  const pods = await deploymentPods(url, NS, NAME);
  const resting = pods.filter(serving).length === dep.spec.replicas && pods.every((p) => !p.metadata.deletionTimestamp);
  return resting && also(pods) ? pods : null;
}

/** Opens the control table and the drawer from the row's cube icon; false when there are no rows. */
async function openDrawer(page) {
  await open(page, `${APP}/control?cluster=${CLUSTER}`, id('control'));
  await settle(page);
  if (await visible(page.getByTestId(id('control-empty')))) {
    return false;
  }
  await clickForDrawer(page);
  await settle(page);
  return true;
}

/**
 * Clicks the row's pods button until the drawer shows. A click can land while the table is
 * replaced by a reload (CI run 14: the hover's tooltip showed, the drawer never did); a person
 * would click again, and so does this, up to three times.
 */
async function clickForDrawer(page) {
  const drawer = page.getByTestId(id('pods'));
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId(id(`control-pods-${NS}-${NAME}`)).click();
    try {
      await drawer.waitFor({ timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt === 3) {
        await awaiting('the pods drawer after three clicks', Promise.reject(err));
      }
    }
  }
}

/** Closes the drawer and opens it again, so it lists the pods anew. */
async function reopenDrawer(page) {
  // The close button, not Escape: after a confirmation the focus is outside the drawer.
  await awaiting('closing the drawer', page.getByTestId(DRAWER_CLOSE).click());
  await awaiting('the drawer to close', page.getByTestId(id('pods')).waitFor({ state: 'detached' }));
  await clickForDrawer(page);
  await settle(page);
}

/** The drawer lists exactly `pods`, each with the cluster's node and phase, badged iff isolated. */
async function expectDrawerShows(page, pods) {
  const drawer = page.getByTestId(id('pods'));
  const prefix = id('pods-row-');
  const want = names(pods);
  await page
    .waitForFunction(
      ([prefix, want]) =>
        [...document.querySelectorAll(`[data-testid^="${prefix}"]`)]
          .map((e) => e.getAttribute('data-testid').slice(prefix.length))
          .sort()
          .join() === want.join(),
      [prefix, want],
      { timeout: 30_000 }
    )
    .catch(async () => {
      const shown = await drawer.locator(`[data-testid^="${prefix}"]`).allInnerTexts();
      throw new Error(`the drawer lists [${shown.join(', ')}], the cluster holds [${want.join(', ')}]`);
    });
  for (const p of pods) {
    const name = p.metadata.name;
    const row = drawer.getByRole('row').filter({ has: page.getByTestId(id(`pods-row-${name}`)) });
    const cells = (await row.getByRole('cell').allInnerTexts()).map((c) => c.trim());
    expect(cells.includes(p.spec.nodeName), `${name}: node ${p.spec.nodeName} not shown in [${cells.join(' | ')}]`);
    expect(cells.includes(p.status.phase), `${name}: phase ${p.status.phase} not shown in [${cells.join(' | ')}]`);
    const badged = (await row.getByTestId(id(`pods-isolated-${name}`)).count()) > 0;
    expect(badged === isolated(p), `${name} is ${isolated(p) ? 'isolated but not' : 'badged but not'} isolated`);
  }
}

/** Confirms the open dialog (its text must include `title`) and waits for the drawer's answer. */
async function confirmAndWait(page, title) {
  const button = page.getByTestId(CONFIRM);
  await button.waitFor();
  const dialog = await page.getByRole('dialog').filter({ has: button }).innerText();
  expect(dialog.includes(title), `the confirmation reads: ${dialog.replace(/\s+/g, ' ')}`);
  await button.click();
  await button.waitFor({ state: 'detached' });
  const answer = page.locator(`[data-testid="${id('pods-done')}"], [data-testid="${id('pods-error')}"]`);
  await awaiting('the drawer to answer', answer.first().waitFor({ timeout: 30_000 }));
  const refused = page.getByTestId(id('pods-error'));
  if (await visible(refused)) {
    throw new Error(`refused: ${(await refused.innerText()).replace(/\s+/g, ' ')}`);
  }
}

const noRows = () =>
  state.collected
    ? { status: 'fail', detail: 'the control table is empty after a successful collection' }
    : { status: 'backend missing', detail: 'nothing collected, so no rows' };

export const podSteps = [
  {
    name: 'pods',
    role: 'Editor',
    docs: true,
    async run(page, { url }) {
      const before = await waitUntil(() => restingPods(url), `${NS}/${NAME}'s pods to run in the cluster`);
      if (!(await openDrawer(page))) {
        return noRows();
      }
      const listed = await verdict(page, 'pods drawer');
      if (listed.status !== 'pass') {
        return listed;
      }
      await expectDrawerShows(page, before);

      const target = before[0].metadata.name;
      await page.getByTestId(id(`pods-isolate-${target}`)).click();
      await confirmAndWait(page, `Isolate pod ${target}?`);
      await awaiting(
        `the isolated badge on ${target}`,
        page.getByTestId(id(`pods-isolated-${target}`)).waitFor({ timeout: 30_000 })
      );
      const pod = await kubeGet(url, `/api/v1/namespaces/${NS}/pods/${target}`);
      expect(pod?.metadata.labels?.app === `${NAME}-isolated`, `${target}'s app label: ${pod?.metadata.labels?.app}`);
      expect(
        pod.metadata.annotations?.['kubedoor.io/isolated-by'] === 'editor',
        `${target} is not marked isolated by the editor: ${JSON.stringify(pod.metadata.annotations)}`
      );

      // The Deployment no longer counts the isolated pod and starts a replacement.
      const after = await waitUntil(
        () =>
          restingPods(
            url,
            (pods) =>
              pods.some((p) => p.metadata.name === target && isolated(p)) &&
              pods.some((p) => serving(p) && !before.some((b) => b.metadata.name === p.metadata.name))
          ),
        `a replacement of ${target}`
      );
      await reopenDrawer(page);
      await expectDrawerShows(page, after);
      expect(
        !(await visible(page.getByTestId(id(`pods-isolate-${target}`)))),
        `${target} can still be isolated after it was`
      );
      state.isolatedPod = target;
      state.podsAfterIsolate = names(after);
      const replacement = after.find((p) => serving(p) && !before.some((b) => b.metadata.name === p.metadata.name));
      return verdict(
        page,
        `${before.length} pods as in the cluster; isolated ${target}, replaced by ${replacement.metadata.name}`
      );
    },
  },
  {
    name: 'pods-delete',
    role: 'Editor',
    docs: true,
    async run(page, { url }) {
      const target = state.isolatedPod;
      if (!target) {
        return { status: 'fail', detail: 'the pods step isolated no pod to delete' };
      }
      if (!(await openDrawer(page))) {
        return noRows();
      }
      await page.getByTestId(id(`pods-isolated-${target}`)).waitFor({ timeout: 30_000 });
      await page.getByTestId(id(`pods-delete-${target}`)).click();
      await confirmAndWait(page, `Delete ${target}?`);
      // kwok ends a deleted pod at once; an isolated pod has no owner left to replace it.
      await waitUntil(
        async () => (await kubeGet(url, `/api/v1/namespaces/${NS}/pods/${target}`)) === null,
        `${target} to leave the cluster`
      );
      const rest = await waitUntil(() => restingPods(url), `${NS}/${NAME} at rest`);
      expect(
        names(rest).join() === state.podsAfterIsolate.filter((n) => n !== target).join(),
        `after the delete the cluster holds [${names(rest).join(', ')}], expected [${state.podsAfterIsolate.join(', ')}] without ${target}`
      );
      await reopenDrawer(page);
      await expectDrawerShows(page, rest);
      return verdict(page, `deleted the isolated ${target}; ${rest.length} pods left, none replaced`);
    },
  },
  {
    name: 'pods-viewer',
    role: 'Viewer',
    docs: false,
    async run(page, { url }) {
      const before = await waitUntil(() => restingPods(url), `${NS}/${NAME}'s pods to run in the cluster`);
      if (!(await openDrawer(page))) {
        return noRows();
      }
      const listed = await verdict(page, 'pods drawer as a Viewer');
      if (listed.status !== 'pass') {
        return listed;
      }
      await expectDrawerShows(page, before);
      const drawer = page.getByTestId(id('pods'));
      for (const prefix of ['pods-isolate-', 'pods-delete-', 'pods-select-']) {
        const n = await drawer.locator(`[data-testid^="${id(prefix)}"]`).count();
        expect(n === 0, `a Viewer is offered ${n} ${prefix.slice(5, -1)} control(s)`);
      }
      expect(!(await visible(page.getByTestId(id('pods-delete-selected')))), 'a Viewer is offered "delete selected"');
      // The backend refuses a Viewer's isolate and delete (the route table's minimum role).
      const pod = before[0].metadata.name;
      const api = `${url}/api/plugins/kubedoor-capacity-app/resources/v1/clusters/${CLUSTER}/pods`;
      for (const [op, data] of [
        ['isolate', { namespace: NS, workload: NAME, pod }],
        ['delete', { namespace: NS, workload: NAME, pods: [pod], intervalSeconds: 0 }],
      ]) {
        const res = await page.request.post(`${api}/${op}`, { data });
        const body = await res.text();
        expect(res.status() === 403 && body.includes('Editor'), `a Viewer's ${op}: HTTP ${res.status()} ${body}`);
      }
      const after = await restingPods(url);
      expect(
        after && names(after).join() === names(before).join(),
        `the cluster's pods changed after a Viewer's refused calls: [${names(after ?? [])}]`
      );
      return verdict(page, `${before.length} pods listed, no isolate or delete offered, both refused by the backend`);
    },
  },
];
