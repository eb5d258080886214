import { plugin } from './module';

describe('module', () => {
  test('registers a root page and the admin config page', () => {
    expect(plugin.root).toBeDefined();
    expect(plugin.configPages?.map((p) => p.id)).toEqual(['configuration']);
  });
});
