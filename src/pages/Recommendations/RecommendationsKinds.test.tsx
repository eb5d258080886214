import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fakeApi, ok } from '../../testing/fakeApi';
import { context, EDITOR } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import { recItem, report } from '../../testing/recommendFixtures';
import Recommendations from './Recommendations';

// Recommendation items carry kind (absent = Deployment); DaemonSets have no replicas to recommend.
const user = userEventLib.setup({ delay: null });
const PATH = '/a/kubedoor-capacity-app/recommendations?cluster=prod-a';
const ROUTE = 'GET clusters/prod-a/recommendations';
const ids = testIds.recommend;

const web = recItem();
const db = recItem({ workload: 'db', kind: 'StatefulSet', version: 5, replicas: { now: 3, table: 3, recommended: 2 } });
const agent = recItem({ workload: 'agent', kind: 'DaemonSet', version: 2, replicas: undefined, savings: 5 });
const kindsReport = () => report({ items: [web, db, agent], total: 3 });

describe('Recommendations page with workload kinds', () => {
  test("shows each item's kind, a DaemonSet's replicas as not applicable, and it cannot be selected", async () => {
    fakeApi({ [ROUTE]: ok(kindsReport()) });
    renderPage(<Recommendations />, context(EDITOR), PATH);

    const webRow = (await screen.findByTestId(ids.row('shop', 'web'))).closest('tr')!;
    expect(within(webRow).getByText('Deploy')).toBeInTheDocument();
    const dbRow = screen.getByTestId(ids.row('shop', 'db', 'StatefulSet')).closest('tr')!;
    expect(within(dbRow).getByText('STS')).toBeInTheDocument();
    expect(within(dbRow).getByText('3 → 3 → 2')).toBeInTheDocument();
    expect(within(dbRow).getByRole('link', { name: 'shop/db' })).toHaveAttribute(
      'href',
      '/a/kubedoor-capacity-app/control?cluster=prod-a&namespace=shop&q=db&kind=StatefulSet'
    );
    const agentRow = screen.getByTestId(ids.row('shop', 'agent', 'DaemonSet')).closest('tr')!;
    expect(within(agentRow).getByText('DS')).toBeInTheDocument();
    expect(within(agentRow).getByTestId(testIds.kind.notApplicable)).toHaveTextContent('—');
    expect(screen.getByTestId(ids.select('shop', 'agent', 'DaemonSet'))).toBeDisabled();
  });

  test("accepting a StatefulSet's recommendation names its kind; a Deployment's row has none", async () => {
    const api = fakeApi({
      [ROUTE]: ok(kindsReport()),
      'POST control/prod-a/recommendations/accept': ok({ accepted: [], refused: [] }),
    });
    renderPage(<Recommendations />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.select('shop', 'db', 'StatefulSet')));
    await user.click(screen.getByTestId(ids.select('shop', 'web')));
    await user.click(screen.getByTestId(ids.accept));
    expect(
      within(screen.getByTestId(testIds.accept.dialog)).getByText('shop/StatefulSet/db: 3 → 2 replicas')
    ).toBeInTheDocument();
    await user.click(screen.getByTestId(testIds.accept.run));

    await waitFor(() => expect(api.calls('POST control/prod-a/recommendations/accept')).toHaveLength(1));
    expect(api.calls('POST control/prod-a/recommendations/accept')[0].req.data).toStrictEqual({
      rows: [
        { namespace: 'shop', workload: 'web', version: 3 },
        { namespace: 'shop', workload: 'db', kind: 'StatefulSet', version: 5 },
      ],
    });
  });

  test('the kind filter sends kind and hides items of other kinds an older backend still sends', async () => {
    const api = fakeApi({ [ROUTE]: ok(kindsReport()) });
    renderPage(<Recommendations />, context(EDITOR), PATH);
    await screen.findByTestId(ids.row('shop', 'web'));

    await user.click(within(screen.getByTestId(testIds.kind.filter)).getByRole('radio', { name: 'DaemonSet' }));

    await waitFor(() => expect(screen.queryByTestId(ids.row('shop', 'web'))).not.toBeInTheDocument());
    expect(screen.getByTestId(ids.row('shop', 'agent', 'DaemonSet'))).toBeInTheDocument();
    expect(api.calls(ROUTE).at(-1)!.query.get('kind')).toBe('DaemonSet');
  });
});
