import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, pending } from '../../testing/fakeApi';
import { auditEntry, context, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Audit from './Audit';

const user = userEventLib.setup({ delay: null });
const ids = testIds.audit;
const PATH = '/a/kubedoor-capacity-app/audit';
const now = () => Date.parse('2026-11-22T12:00:00Z');

describe('Audit page', () => {
  test('loads the last 7 days, newest first, and shows who did what with what result', async () => {
    const list = pending();
    const api = fakeApi({ 'GET audit': list.reply });
    renderPage(<Audit now={now} />, context(VIEWER), PATH);
    expect(screen.getByText('Loading the audit log...')).toBeInTheDocument();
    list.resolve({
      items: [
        auditEntry(),
        auditEntry({
          id: 'a2',
          user: 'vera',
          role: 'Viewer',
          action: 'scale workloads',
          result: 'denied',
          error: 'scale workloads requires the Editor role',
        }),
        auditEntry({
          id: 'a3',
          user: 'alice',
          note: 'recorded later from the stored version 4 (its own entry was lost)',
        }),
      ],
      total: 3,
    });

    const table = await screen.findByTestId(ids.table);
    expect(within(table).getByText('ed (Editor)')).toBeInTheDocument();
    expect(within(table).getByText('denied')).toBeInTheDocument();
    expect(within(table).getByText('scale workloads requires the Editor role')).toBeInTheDocument();
    expect(
      within(table).getByText('recorded later from the stored version 4 (its own entry was lost)')
    ).toBeInTheDocument();
    expect(Object.fromEntries(api.calls('GET audit')[0].query)).toEqual({
      from: '2026-11-15T12:00:00.000Z',
      limit: '50',
      offset: '0',
    });
  });

  test('filters go to the backend as query parameters', async () => {
    const api = fakeApi({ 'GET audit': ok({ items: [auditEntry()], total: 1 }) });
    renderPage(<Audit now={now} />, context(VIEWER), PATH);
    await screen.findByTestId(ids.table);

    await user.type(screen.getByTestId(ids.user), 'ed{Enter}');
    await user.type(screen.getByTestId(ids.target), 'control/prod-a{Enter}');
    await user.click(screen.getByRole('radio', { name: 'Denied' }));
    // The second "All" is the period: no lower time bound.
    await user.click(screen.getAllByRole('radio', { name: 'All' })[1]);

    await waitFor(() => {
      const last = api.calls('GET audit').at(-1)!;
      expect(Object.fromEntries(last.query)).toEqual({
        user: 'ed',
        target: 'control/prod-a',
        result: 'denied',
        limit: '50',
        offset: '0',
      });
    });
  });

  test('a row expands to what it changed', async () => {
    fakeApi({ 'GET audit': ok({ items: [auditEntry()], total: 1 }) });
    renderPage(<Audit now={now} />, context(VIEWER), PATH);
    const table = await screen.findByTestId(ids.table);
    await user.click(within(table).getByRole('button', { name: /expand/i }));
    expect(await screen.findByText(/"replicasManual": 5/)).toBeInTheDocument();
    expect(screen.getByText(/"replicasManual": -1/)).toBeInTheDocument();
  });

  test('pages through a long log', async () => {
    const api = fakeApi({
      'GET audit': (_req, q) =>
        ok({ items: [auditEntry({ id: `e${q.get('offset')}`, target: `t${q.get('offset')}` })], total: 120 }),
    });
    renderPage(<Audit now={now} />, context(VIEWER), PATH);
    expect(await screen.findByText('120 entries')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '3' }));
    expect(await screen.findByText('t100')).toBeInTheDocument();
    expect(api.calls('GET audit').at(-1)!.query.get('offset')).toBe('100');
  });

  test('empty, error and forbidden states', async () => {
    fakeApi({ 'GET audit': ok({ items: null, total: 0 }) });
    const a = renderPage(<Audit now={now} />, context(VIEWER), PATH);
    expect(await screen.findByTestId(ids.empty)).toBeInTheDocument();
    a.unmount();

    fakeApi({
      'GET audit': fail(400, 'from: must be an RFC 3339 time such as 2026-11-22T10:00:00Z', { field: 'from' }),
    });
    const b = renderPage(<Audit now={now} />, context(VIEWER), PATH);
    expect(await screen.findByText(/must be an RFC 3339 time/)).toBeInTheDocument();
    b.unmount();

    fakeApi({ 'GET audit': fail(403, 'read the audit log requires the Viewer role; "x" has None') });
    renderPage(<Audit now={now} />, context(undefined), PATH);
    expect(await screen.findByTestId(testIds.common.forbidden)).toBeInTheDocument();
  });
});
