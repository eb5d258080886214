import { t } from './i18n';

describe('t', () => {
  test('returns the English default for an unknown key', () => {
    expect(t('nope.nothing', 'Control table')).toBe('Control table');
  });

  test('interpolates values without HTML escaping (React escapes on render)', () => {
    expect(t('x.y', 'Edit {{target}}', { target: 'shop/checkout <b>&' })).toBe('Edit shop/checkout <b>&');
  });
});
