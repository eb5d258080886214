import React from 'react';
import { render, screen } from '@testing-library/react';
import { EmbeddedScene, SceneFlexItem, SceneFlexLayout, SceneReactObject } from '@grafana/scenes';

// Guards the toolchain for the scene-based pages to come: @grafana/scenes must import and render
// under jest (it needs the IntersectionObserver stub in jest-setup.js).
test('@grafana/scenes renders a scene under jest', async () => {
  const scene = new EmbeddedScene({
    body: new SceneFlexLayout({
      children: [new SceneFlexItem({ body: new SceneReactObject({ component: () => <p>scene content</p> }) })],
    }),
  });

  render(<scene.Component model={scene} />);

  expect(await screen.findByText('scene content')).toBeInTheDocument();
});
