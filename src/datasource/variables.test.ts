import { parseVariableQuery, VariableQueryError } from './variables';

describe('variable queries', () => {
  test.each([
    ['clusters', { variable: 'clusters' }],
    [' namespaces($cluster) ', { variable: 'namespaces', cluster: '$cluster' }],
    ['workloads($cluster, $namespace)', { variable: 'workloads', cluster: '$cluster', namespace: '$namespace' }],
    [
      'containers(prod-a,shop,checkout)',
      { variable: 'containers', cluster: 'prod-a', namespace: 'shop', workload: 'checkout' },
    ],
    [
      'workloads($cluster, $namespace, $kind)',
      { variable: 'workloads', cluster: '$cluster', namespace: '$namespace', kind: '$kind' },
    ],
    [
      'containers(prod-a, shop, db, StatefulSet)',
      { variable: 'containers', cluster: 'prod-a', namespace: 'shop', workload: 'db', kind: 'StatefulSet' },
    ],
  ])('%s', (text, want) => {
    expect(parseVariableQuery(text)).toMatchObject({ queryType: 'variable', ...want });
  });

  test.each([
    '',
    'pods',
    'namespaces',
    'namespaces()',
    'workloads($cluster)',
    'clusters(x)',
    'namespaces($cluster, $kind)',
    'workloads($cluster, $namespace, $kind, x)',
    'namespaces($a,)',
    'SELECT 1',
  ])('%j is refused with a sentence', (text) => {
    expect(() => parseVariableQuery(text)).toThrow(VariableQueryError);
  });

  // A cheap property check in lieu of a fuzzer: arbitrary input either parses or throws the typed error.
  test('arbitrary input never throws anything but a VariableQueryError', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = 'abcnmespwrklodt(),$ _-\n\u00e9{}[]';
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(rand() * 40);
      let s = '';
      for (let j = 0; j < len; j++) {
        s += alphabet[Math.floor(rand() * alphabet.length)];
      }
      try {
        const q = parseVariableQuery(s);
        expect(q.queryType).toBe('variable');
      } catch (err) {
        expect(err).toBeInstanceOf(VariableQueryError);
      }
    }
  });
});
