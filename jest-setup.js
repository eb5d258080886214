// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no IntersectionObserver; @grafana/scenes creates one at import time (LazyLoader).
// Report every observed element as visible so lazily rendered scene content shows up in tests.
class IntersectionObserverStub {
  constructor(callback) {
    this.callback = callback;
  }
  observe(target) {
    this.callback([{ target, isIntersecting: true, intersectionRatio: 1 }], this);
  }
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}

Object.defineProperty(global, 'IntersectionObserver', { writable: true, value: IntersectionObserverStub });

// jsdom has no canvas; @grafana/ui's Combobox measures option text with a 2D context to size its
// menu. A fixed-width measure is enough for layout-free tests.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return {
    font: '',
    measureText: (text) => ({ width: String(text).length * 7 }),
  };
};

// jsdom has no ResizeObserver; @grafana/ui's Drawer watches its size with one.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
Object.defineProperty(global, 'ResizeObserver', { writable: true, value: ResizeObserverStub });

// findBy*/waitFor give up after 1 s by default; on 2 shared cores under load a lazy page's first
// render can take longer (a CI run beside other work failed that way). A limit, not a speed check.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 15000 });
