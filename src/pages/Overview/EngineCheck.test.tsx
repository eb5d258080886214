import fs from 'fs';
import path from 'path';
import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { setBackendSrv } from '@grafana/runtime';

import { testIds } from '../../components/testIds';
import { CONFIG_PAGE_URL, TROUBLESHOOTING, TROUBLESHOOTING_URL } from '../../constants';
import { fakeBackendSrv } from '../../testing/fakeBackendSrv';
import type { StatusResponse, StoreStatus } from '../../types';
import Overview from './Overview';

const ENGINE_SECTION = `${TROUBLESHOOTING_URL}#the-engine-is-not-found-embedded-clickhouse`;

function status(store: Partial<StoreStatus>): StatusResponse {
  return {
    store: { ok: true, mode: 'embedded', message: '', schemaVersion: 3, ...store },
    prometheus: [],
    version: '0.1.0-test',
  };
}

async function engineCheck(store: Partial<StoreStatus>) {
  setBackendSrv(fakeBackendSrv(() => ({ data: status(store) })).srv);
  render(<Overview />);
  const card = await screen.findByTestId(testIds.overview.store);
  return within(card);
}

describe('Overview engine check', () => {
  test('an open store names its engine, and the file to an Admin', async () => {
    const card = await engineCheck({
      engine: { version: '26.5.1.1', library: '/var/lib/grafana/kubedoor-engine/26.5.3/libchdb.so' },
    });
    expect(card.getByTestId(testIds.overview.engine)).toHaveTextContent(
      'ClickHouse 26.5.1.1 loaded from /var/lib/grafana/kubedoor-engine/26.5.3/libchdb.so'
    );
    expect(card.queryByRole('link', { name: /troubleshooting/i })).not.toBeInTheDocument();
  });

  test('a Viewer sees the version only (the backend leaves the path out)', async () => {
    const card = await engineCheck({ engine: { version: '26.5.1.1' } });
    expect(card.getByTestId(testIds.overview.engine)).toHaveTextContent(/^EngineClickHouse 26\.5\.1\.1$/);
  });

  test('a missing engine says what to do, with the configuration page and the troubleshooting section', async () => {
    const card = await engineCheck({
      ok: false,
      problem: 'engine-not-found',
      message: 'opening embedded store: store config: locating the engine: engine library not found: looked at …',
    });
    const check = within(card.getByTestId(testIds.overview.engine));
    expect(
      check.getByText(/The engine library \(libchdb\.so\) is not installed\. An Admin downloads it/)
    ).toBeInTheDocument();
    expect(check.getByRole('link', { name: /configuration page/i })).toHaveAttribute('href', CONFIG_PAGE_URL);
    expect(check.getByRole('link', { name: /troubleshooting/i })).toHaveAttribute('href', ENGINE_SECTION);
    expect(card.getByText('Failing')).toBeInTheDocument();
  });

  test.each([
    ['engine-load', /found but does not load\. Grafana's image must be glibc-based/],
    ['data-dir', /cannot open its data directory: it must be writable by Grafana's user and used by one backend only/],
  ] as const)('%s says what to do and links the troubleshooting section', async (problem, text) => {
    const card = await engineCheck({ ok: false, problem, message: 'opening embedded store: …' });
    const check = within(card.getByTestId(testIds.overview.engine));
    expect(check.getByText(text)).toBeInTheDocument();
    expect(check.getByRole('link', { name: /troubleshooting/i })).toHaveAttribute('href', ENGINE_SECTION);
    // Only a missing engine is fixed on the configuration page.
    expect(check.queryByRole('link', { name: /configuration page/i })).not.toBeInTheDocument();
  });

  test('a failing store of no troubleshooting case shows its message and no engine check', async () => {
    const card = await engineCheck({
      ok: false,
      mode: 'server',
      message: 'dial tcp 10.0.0.9:9000: connection refused',
    });
    expect(card.getByText('dial tcp 10.0.0.9:9000: connection refused')).toBeInTheDocument();
    expect(card.queryByTestId(testIds.overview.engine)).not.toBeInTheDocument();
  });
});

describe('troubleshooting links', () => {
  // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
  const anchors = fs
    .readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'troubleshooting.md'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('## '))
    .map((l) =>
      l
        .slice(3)
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-')
    );

  test.each(Object.entries(TROUBLESHOOTING))('%s links a section docs/troubleshooting.md has', (_check, anchor) => {
    expect(anchors).toContain(anchor);
  });
});
