import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, pending } from '../../testing/fakeApi';
import { context, controlRow, EDITOR, health, run, schedule, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Schedules from './Schedules';

const user = userEventLib.setup({ delay: null });

// Pastes text into a field: one change instead of a render per key, which under CI load took
// this file's longest test past jest's timeout.
async function typeIn(el: HTMLElement, text: string) {
  await user.click(el);
  await user.paste(text);
}
const ids = testIds.schedules;
const PATH = '/a/kubedoor-capacity-app/schedules';
const now = () => Date.parse('2026-11-22T04:00:00Z');

const nightly = schedule({
  id: 'sch-2',
  name: 'Nightly restart',
  action: 'restart',
  kind: 'cron',
  runAt: null,
  cron: '30 2 * * *',
  items: [{ namespace: 'shop', workload: 'cart' }],
  enabled: false,
});

// The workload picker's menu is virtualised: it renders only the options that fit the height it
// reads from clientHeight, which jsdom reports as 0. Give elements a height while these tests run.
// (jsdom defines clientHeight on Element.prototype; the override shadows it on HTMLElement.)
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});

describe('Schedules page', () => {
  test('lists schedules after loading: when, next run, state', async () => {
    const list = pending();
    fakeApi({ 'GET schedules': list.reply });
    renderPage(<Schedules now={now} />, context(VIEWER), PATH);
    expect(screen.getByText('Loading schedules...')).toBeInTheDocument();
    list.resolve({ items: [schedule(), nightly], total: 2 });

    const table = await screen.findByTestId(ids.table);
    const once = within(table).getByText('Scale up for the sale').closest('tr')!;
    expect(within(once).getByText('once at 2026-11-23 10:00 (Asia/Shanghai)')).toBeInTheDocument();
    expect(within(once).getByText('shop/checkout→10')).toBeInTheDocument();
    expect(within(once).getByText('active')).toBeInTheDocument();
    const cron = within(table).getByText('Nightly restart').closest('tr')!;
    expect(within(cron).getByText('30 2 * * * (Asia/Shanghai)')).toBeInTheDocument();
    expect(within(cron).getByText('paused')).toBeInTheDocument();
    // A Viewer reads but changes nothing.
    expect(screen.queryByTestId(ids.create)).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.pause('sch-1'))).not.toBeInTheDocument();
  });

  test('a cluster whose schedule lease nobody can take says why above the list', async () => {
    const reason = 'the lease namespace kubedoor does not exist and this backend may not create it';
    fakeApi({
      'GET schedules': ok({ items: [schedule()], total: 1 }),
      'GET clusters/prod-a/health': ok(health({ schedules: { state: 'blocked', reason } })),
    });
    renderPage(<Schedules now={now} />, context(VIEWER), PATH);
    expect(await screen.findByText('Scale and restart schedules cannot run')).toBeInTheDocument();
    expect(screen.getByText(new RegExp(`^${reason}\\. Their due runs are recorded as missed`))).toBeInTheDocument();
    expect(await screen.findByTestId(ids.table)).toBeInTheDocument();
  });

  test('empty, error and forbidden states', async () => {
    fakeApi({ 'GET schedules': ok({ items: null, total: 0 }) });
    const first = renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    expect(await screen.findByTestId(ids.empty)).toBeInTheDocument();
    first.unmount();

    fakeApi({ 'GET schedules': fail(500, 'reading schedules failed: table missing') });
    const second = renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    expect(await screen.findByText('reading schedules failed: table missing')).toBeInTheDocument();
    second.unmount();

    fakeApi({ 'GET schedules': fail(403, 'read schedules requires the Viewer role') });
    renderPage(<Schedules now={now} />, context(undefined), PATH);
    expect(await screen.findByTestId(testIds.common.forbidden)).toBeInTheDocument();
  });

  test('pause, resume and delete call the backend and reload', async () => {
    const api = fakeApi({
      'GET schedules': ok({ items: [schedule(), nightly], total: 2 }),
      'POST schedules/sch-1/pause': ok(schedule({ enabled: false })),
      'POST schedules/sch-2/resume': ok({ ...nightly, enabled: true }),
      'DELETE schedules/sch-1': ok(null),
    });
    renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.pause('sch-1')));
    // Each action reloads the list; wait for it before the next click.
    await user.click(await screen.findByTestId(ids.resume('sch-2')));
    await user.click(await screen.findByTestId(ids.remove('sch-1')));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(api.calls('DELETE schedules/sch-1')).toHaveLength(1));
    expect(api.calls('POST schedules/sch-1/pause')).toHaveLength(1);
    expect(api.calls('POST schedules/sch-2/resume')).toHaveLength(1);
    await waitFor(() => expect(api.calls('GET schedules').length).toBeGreaterThanOrEqual(4));
  });

  test('a failed pause is shown', async () => {
    fakeApi({
      'GET schedules': ok({ items: [schedule()], total: 1 }),
      'POST schedules/sch-1/pause': fail(404, 'no schedule sch-1'),
    });
    renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.pause('sch-1')));
    expect(await screen.findByText('no schedule sch-1')).toBeInTheDocument();
  });

  test('runs show each status and, expanded, each workload result', async () => {
    fakeApi({
      'GET schedules': ok({ items: [schedule()], total: 1 }),
      'GET schedules/sch-1/runs': ok({
        items: [
          run({
            id: 'r2',
            status: 'failed',
            error: '1 of 1 failed',
            results: [{ cluster: 'prod-a', namespace: 'shop', workload: 'checkout', ok: false, error: 'forbidden' }],
          }),
          run({ id: 'r1', status: 'missed', error: 'backend was down' }),
        ],
        total: 2,
      }),
    });
    renderPage(<Schedules now={now} />, context(VIEWER), PATH);
    await user.click(await screen.findByTestId(ids.runs('sch-1')));

    const drawer = await screen.findByTestId(ids.runsDrawer);
    expect(await within(drawer).findByText('failed')).toBeInTheDocument();
    expect(within(drawer).getByText('missed')).toBeInTheDocument();
    expect(within(drawer).getByText('backend was down')).toBeInTheDocument();
    await user.click(within(drawer).getAllByRole('button', { name: /expand/i })[0]);
    expect(await within(drawer).findByText(/shop\/checkout: forbidden/)).toBeInTheDocument();
  });

  test('creating a cron restart posts the schedule; a 400 lands on its field', async () => {
    let posts = 0;
    const api = fakeApi({
      'GET schedules': ok({ items: [], total: 0 }),
      'GET control': ok({ items: [controlRow(), controlRow({ workload: 'cart' })], total: 2 }),
      'POST schedules': (req, q) =>
        ++posts === 1
          ? fail(400, 'timeZone: unknown IANA time zone "Asia/Shangai"', { field: 'timeZone' })(req, q)
          : ok(nightly),
    });
    renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.create));

    await typeIn(screen.getByTestId(ids.name), 'Nightly restart');
    await user.click(screen.getByRole('radio', { name: 'Restart' }));
    await user.click(screen.getByRole('radio', { name: 'Repeat (cron)' }));
    await user.clear(screen.getByTestId(ids.cron));
    await typeIn(screen.getByTestId(ids.cron), '30 2 * * *');
    await user.click(within(screen.getByTestId(ids.dialog)).getByRole('combobox'));
    await user.click(await screen.findByRole('option', { name: 'shop/cart' }));
    await user.click(screen.getByTestId(ids.submit));

    expect(await screen.findByText('timeZone: unknown IANA time zone "Asia/Shangai"')).toBeInTheDocument();
    expect(api.calls('POST schedules')[0].req.data).toEqual({
      cluster: 'prod-a',
      name: 'Nightly restart',
      action: 'restart',
      kind: 'cron',
      runAt: null,
      cron: '30 2 * * *',
      timeZone: 'Asia/Shanghai',
      items: [{ namespace: 'shop', workload: 'cart' }],
      temporary: false,
      intervalSeconds: 0,
      enabled: true,
    });
    await user.click(screen.getByTestId(ids.submit));
    await waitFor(() => expect(screen.queryByTestId(ids.dialog)).not.toBeInTheDocument());
  });

  test('a once time in the past is refused before anything is sent', async () => {
    const api = fakeApi({ 'GET schedules': ok({ items: [], total: 0 }), 'GET control': ok({ items: [], total: 0 }) });
    renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.create));
    await typeIn(screen.getByTestId(ids.name), 'too late');
    await user.click(screen.getByRole('radio', { name: 'Collect peak data' }));
    await user.type(screen.getByTestId(ids.runAt), '2026-11-22T11:00');
    await user.click(screen.getByTestId(ids.submit));

    expect(await screen.findByText('This time has already passed')).toBeInTheDocument();
    expect(api.calls('POST schedules')).toHaveLength(0);
  });

  test('editing keeps a paused schedule paused and sends the version it read; a conflict says so', async () => {
    let puts = 0;
    const api = fakeApi({
      'GET schedules': ok({ items: [nightly], total: 1 }),
      'GET control': ok({ items: [controlRow(), controlRow({ workload: 'cart' })], total: 2 }),
      'PUT schedules/sch-2': (req, q) =>
        ++puts === 1 ? fail(409, 'schedule sch-2 is at version 2, not 1')(req, q) : ok({ ...nightly, version: 3 }),
    });
    renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    await user.click(await screen.findByTestId(ids.edit('sch-2')));

    const dialog = screen.getByTestId(ids.dialog);
    expect(screen.getByTestId(ids.name)).toHaveValue('Nightly restart');
    expect(screen.getByTestId(ids.cron)).toHaveValue('30 2 * * *');
    await user.clear(screen.getByTestId(ids.cron));
    await typeIn(screen.getByTestId(ids.cron), '45 3 * * 1-5');
    await user.click(within(dialog).getByTestId(ids.submit));

    expect(await screen.findByText(/Someone changed this schedule since you opened it/)).toBeInTheDocument();
    expect(api.calls('PUT schedules/sch-2')[0].req.data).toEqual({
      cluster: 'prod-a',
      name: 'Nightly restart',
      action: 'restart',
      kind: 'cron',
      runAt: null,
      cron: '45 3 * * 1-5',
      timeZone: 'Asia/Shanghai',
      items: [{ namespace: 'shop', workload: 'cart' }],
      temporary: false,
      intervalSeconds: 0,
      enabled: false,
      expectedVersion: 1,
    });
    await user.click(screen.getByTestId(ids.submit));
    await waitFor(() => expect(screen.queryByTestId(ids.dialog)).not.toBeInTheDocument());
  });

  test('a once schedule opens at its wall-clock time; per-item replica counts cannot be edited here', async () => {
    const mixed = schedule({
      id: 'sch-3',
      name: 'Mixed',
      items: [
        { namespace: 'shop', workload: 'checkout', replicas: 10 },
        { namespace: 'shop', workload: 'cart', replicas: 4 },
      ],
    });
    fakeApi({
      'GET schedules': ok({ items: [schedule(), mixed], total: 2 }),
      'GET control': ok({ items: [controlRow()], total: 1 }),
    });
    renderPage(<Schedules now={now} />, context(EDITOR), PATH);
    expect(await screen.findByTestId(ids.edit('sch-3'))).toBeDisabled();
    await user.click(screen.getByTestId(ids.edit('sch-1')));
    // 2026-11-23T02:00Z is 10:00 in Shanghai.
    expect(screen.getByTestId(ids.runAt)).toHaveValue('2026-11-23T10:00');
    expect(screen.getByTestId(ids.replicas)).toHaveValue('10');
  });

  test('a Viewer gets no edit button', async () => {
    fakeApi({ 'GET schedules': ok({ items: [nightly], total: 1 }) });
    renderPage(<Schedules now={now} />, context(VIEWER), PATH);
    await screen.findByTestId(ids.table);
    expect(screen.queryByTestId(ids.edit('sch-2'))).not.toBeInTheDocument();
  });
});
