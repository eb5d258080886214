import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEventLib from '@testing-library/user-event';

import { testIds } from '../../components/testIds';
import { fail, fakeApi, ok, type Reply } from '../../testing/fakeApi';
import { clusterSettings, context, gitopsConfig, health, namespaceItem, VIEWER } from '../../testing/fixtures';
import { renderPage } from '../../testing/render';
import Clusters from './Clusters';

const user = userEventLib.setup({ delay: null });
const ids = testIds.clusters;
const PATH = '/a/kubedoor-capacity-app/clusters?cluster=prod-a';

function routes(gitops: Reply): Record<string, Reply> {
  return {
    'GET clusters': ok({ items: [] }),
    'GET clusters/prod-a/health': ok(health()),
    'GET clusters/prod-a/settings': ok(clusterSettings()),
    'GET clusters/prod-a/namespaces': ok({ items: [namespaceItem()] }),
    'GET collections': ok({ items: [], total: 0 }),
    'GET clusters/prod-a/gitops': gitops,
  };
}

describe('GitOps section of the Clusters page', () => {
  let writeText: jest.Mock;
  beforeEach(() => {
    writeText = jest.fn(() => Promise.resolve());
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  });

  test('a Viewer reads the Argo CD block, copies it, then switches to Flux and copies that', async () => {
    const cfg = gitopsConfig();
    const api = fakeApi(routes(ok(cfg)));
    renderPage(<Clusters />, context(VIEWER), PATH);
    const box = await screen.findByTestId(ids.gitops);
    const yaml = await within(box).findByTestId(ids.gitopsYaml);
    expect(yaml.textContent).toBe(cfg.argoCD.yaml);
    expect(yaml.textContent).toContain('- RespectIgnoreDifferences=true');
    expect(within(box).getByText(/Deployments under control with fields the webhook sets: 1\./)).toBeInTheDocument();

    await user.click(within(box).getByRole('button', { name: 'Copy the Argo CD block' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(cfg.argoCD.yaml));

    await user.click(within(box).getByRole('tab', { name: /Flux/ }));
    expect(within(box).getByTestId(ids.gitopsYaml).textContent).toBe(cfg.flux.yaml);
    expect(within(box).getByText(/spec.driftDetection.ignore/)).toBeInTheDocument();
    await user.click(within(box).getByRole('button', { name: 'Copy the Flux block' }));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith(cfg.flux.yaml));
    expect(api.calls('GET clusters/prod-a/gitops')).toHaveLength(1);
  });

  test('what could not be generated is listed with its reason', async () => {
    const note =
      'shop/api: the position of container app is unknown (the live Deployment was not read); Flux has no rule for its resources';
    fakeApi(routes(ok(gitopsConfig({ notes: [note] }))));
    renderPage(<Clusters />, context(VIEWER), PATH);
    const box = await screen.findByTestId(ids.gitops);
    expect(await within(box).findByText(note)).toBeInTheDocument();
    expect(within(box).getByText('Not generated')).toBeInTheDocument();
  });

  test('a failed read says why and leaves the other sections working', async () => {
    fakeApi(routes(fail(503, 'the store is unavailable')));
    renderPage(<Clusters />, context(VIEWER), PATH);
    const box = await screen.findByTestId(ids.gitops);
    expect(await within(box).findByText('the store is unavailable')).toBeInTheDocument();
    expect(within(box).queryByTestId(ids.gitopsYaml)).not.toBeInTheDocument();
    expect(await screen.findByTestId(ids.settingsForm)).toBeInTheDocument();
  });
});
