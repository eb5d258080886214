import type { Cost, RecommendItem, Recommendations } from '../api/recommendTypes';

export const cost = (cpuCores: number, memGiB: number, monthly: number): Cost => ({ cpuCores, memGiB, monthly });

export function recItem(over: Partial<RecommendItem> = {}): RecommendItem {
  return {
    namespace: 'shop',
    workload: 'web',
    version: 3,
    replicas: { now: 12, table: 12, recommended: 8 },
    now: cost(6, 12, 200),
    table: cost(6, 12, 200),
    recommended: cost(4, 8, 130),
    savings: 70,
    score: 64.4,
    scoreReason: 'uses 43 % of its CPU request at the peak',
    risk: { level: 'low', daysOverRequest: 0, daysNearCPULimit: 1, daysNearMemLimit: 0, oomKills: 0 },
    historyDays: 30,
    ...over,
  };
}

export function report(over: Partial<Recommendations> = {}): Recommendations {
  return {
    cluster: 'prod-a',
    currency: 'USD',
    prices: { currency: 'USD', cpuCoreHour: 0.0316, memGiBHour: 0.0042 },
    days: 30,
    nowFrom: 'live',
    replay: { from: 'cache', computedAt: '2026-12-03T21:30:00Z' },
    totals: {
      now: cost(10, 20, 400),
      table: cost(8, 16, 320),
      recommended: cost(6, 12, 250),
      savingsTable: 80,
      savingsRecommended: 150,
    },
    namespaces: [{ namespace: 'shop', now: cost(10, 20, 400), table: cost(8, 16, 320), recommended: cost(6, 12, 250) }],
    items: [
      recItem(),
      recItem({
        workload: 'api',
        version: 7,
        replicas: { now: 4, table: 4, recommended: 4 },
        savings: 0,
        score: null,
        scoreReason: 'too little history',
        risk: { level: 'high', daysOverRequest: 5, daysNearCPULimit: 2, daysNearMemLimit: 1, oomKills: 3 },
      }),
    ],
    ...over,
  };
}
