import React from 'react';
import { render, screen } from '@testing-library/react';

import { job } from '../../testing/fixtures';
import { dayRanges, KeptDays } from './KeptDays';

describe('days a job kept', () => {
  test('consecutive days are written as ranges, across a month end', () => {
    expect(dayRanges([])).toBe('');
    expect(dayRanges(['2026-11-03'])).toBe('2026-11-03');
    expect(dayRanges(['2026-12-01', '2026-11-29', '2026-11-30', '2026-12-03'])).toBe(
      '2026-11-29 to 2026-12-01, 2026-12-03'
    );
  });

  test('nothing kept and nothing unavailable shows nothing, also for jobs of an older backend', () => {
    const { container } = render(<KeptDays job={job({ kept: undefined, unavailable: null })} />);
    expect(container).toBeEmptyDOMElement();
  });

  test('each kept day with its reason, and the days Prometheus no longer holds', () => {
    render(
      <KeptDays
        job={job({
          unavailable: ['2026-11-12', '2026-11-13'],
          kept: [
            {
              day: '2026-11-13',
              storedWorkloads: 117,
              foundWorkloads: 0,
              keptWorkloads: 117,
              reason: 'Prometheus holds no pod series for this day',
            },
            {
              day: '2026-11-20',
              storedWorkloads: 117,
              foundWorkloads: 12,
              keptWorkloads: 117,
              reason: 'only 12 of the 117 stored workloads were found again',
            },
          ],
        })}
      />
    );
    expect(screen.getByText('Days Prometheus holds no data of: 2')).toBeInTheDocument();
    expect(screen.getByText(/^2026-11-12 to 2026-11-13: not collected/)).toBeInTheDocument();
    expect(screen.getByText('Days whose stored rows were kept: 2')).toBeInTheDocument();
    expect(screen.getByText('2026-11-13: Prometheus holds no pod series for this day')).toBeInTheDocument();
    expect(screen.getByText('2026-11-20: only 12 of the 117 stored workloads were found again')).toBeInTheDocument();
  });

  test('a long list is cut after 20 days with a count of the rest', () => {
    const kept = Array.from({ length: 25 }, (_, i) => ({
      day: `2026-10-${String(i + 1).padStart(2, '0')}`,
      storedWorkloads: 3,
      foundWorkloads: 0,
      keptWorkloads: 3,
      reason: 'Prometheus answered no workloads for this day',
    }));
    render(<KeptDays job={job({ kept })} />);
    expect(screen.getAllByText(/Prometheus answered no workloads/)).toHaveLength(20);
    expect(screen.getByText('and 5 more days')).toBeInTheDocument();
  });
});
