import React from 'react';
import { screen, waitFor } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fakeApi, ok } from '../../testing/fakeApi';
import { context, controlRow, EDITOR } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Schedules from './Schedules';

// Schedule targets name their kind; a DaemonSet can be restarted, never scaled.
const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/schedules?cluster=prod-a';
const ids = testIds.schedules;
const now = () => Date.parse('2026-11-22T04:00:00Z');

// The picker's menu is virtualised by the height jsdom reports as 0 (as in Schedules.test.tsx).
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});

describe('Schedules with workload kinds', () => {
  test('the workload picker offers DaemonSets for a restart but not for a scale, each as its target text', async () => {
    const rows = [
      controlRow({ workload: 'web' }),
      controlRow({ workload: 'db', kind: 'StatefulSet' }),
      controlRow({ workload: 'agent', kind: 'DaemonSet', replicas: undefined }),
    ];
    const api = fakeApi({ 'GET schedules': ok({ items: [], total: 0 }), 'GET control': ok({ items: rows, total: 3 }) });
    renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.create));
    await waitFor(() => expect(api.calls('GET control')).toHaveLength(1));
    await user.type(screen.getByTestId(ids.name), 'n');

    // Scale is the default action.
    await user.click(screen.getByTestId(ids.workloads));
    expect(await screen.findByRole('option', { name: 'shop/StatefulSet/db' })).toBeInTheDocument();
    expect(screen.getByRole('option', { name: 'shop/web' })).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: 'shop/DaemonSet/agent' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('radio', { name: 'Restart' }));
    await user.click(screen.getByTestId(ids.workloads));
    expect(await screen.findByRole('option', { name: 'shop/DaemonSet/agent' })).toBeInTheDocument();
  });
});
