import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Stack, Text, useStyles2 } from '@grafana/ui';

import { fetchEngine, getEngine, type EngineState } from '../../api/engine';
import { toApiError } from '../../api/client';
import { testIds } from '../../components/testIds';
import { t } from '../../i18n';

const MB = 1_000_000;

function mb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

/** The exact shell commands of docs/troubleshooting.md for this backend's install directory. */
export function manualSteps(s: EngineState): string {
  const file = s.package.url.split('/').pop() ?? 'engine.tgz';
  return [
    '# On a machine that reaches the npm registry:',
    `curl -fLO ${s.package.url}`,
    `echo "sha512-$(openssl dgst -sha512 -binary ${file} | base64 -w0)"`,
    `# must print ${s.package.integrity}`,
    '# Then on the Grafana host, as root:',
    `mkdir -p ${s.installDir}`,
    `tar -xzf ${file} -C ${s.installDir} --strip-components=1 package/libchdb.so`,
    `chown -R 472:0 ${s.installDir}   # Grafana's user in its images`,
  ].join('\n');
}

interface Props {
  /** How often the progress is read while a download runs (ms). */
  pollMs?: number;
}

/**
 * The embedded engine on the configuration page: nothing when it is found, else what is missing,
 * the choice between embedded and server mode, a download the admin starts (never by itself) with
 * its progress and checksum, and the manual steps for air-gapped hosts. Shown to Admins only: the
 * route answers others 403, and then this renders nothing.
 */
export function EngineSetup({ pollMs = 1000 }: Props) {
  const styles = useStyles2(getStyles);
  const [state, setState] = useState<EngineState>();
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);
  const fetching = state?.fetch.state === 'fetching';

  useEffect(() => {
    let active = true;
    const read = () =>
      getEngine().then(
        (s) => active && setState(s),
        (e: unknown) => {
          const err = toApiError(e);
          if (active && err.status !== 403) {
            setError(err.message);
          }
        }
      );
    read();
    // Poll only while a download runs: the page is otherwise static.
    const timer = fetching ? setInterval(read, pollMs) : undefined;
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [fetching, pollMs]);

  const onDownload = async () => {
    if (!state) {
      return;
    }
    setStarting(true);
    setError(undefined);
    try {
      setState(await fetchEngine(state.package.version));
    } catch (e) {
      setError(toApiError(e).message);
    } finally {
      setStarting(false);
    }
  };

  if (!state) {
    return error ? (
      <Alert severity="warning" title={t('config.engine.unreadable', 'Could not read the engine state')}>
        {error}
      </Alert>
    ) : null;
  }
  const f = state.fetch;
  if (state.found && f.state !== 'installed') {
    return null;
  }
  const pct = f.bytesTotal > 0 ? Math.min(100, Math.round((100 * f.bytesDone) / f.bytesTotal)) : 0;

  return (
    <div data-testid={testIds.appConfig.engine} className={styles.box}>
      {f.state === 'installed' ? (
        <Alert severity="success" title={t('config.engine.installed', 'Engine installed')}>
          {t(
            'config.engine.installed-body',
            '{{name}}@{{version}} is at {{target}}; its checksum {{checksum}} was verified. The store opens on it within seconds, without a restart: the Overview shows it.',
            {
              name: state.package.name,
              version: state.package.version,
              target: f.target ?? '',
              checksum: f.checksum ?? '',
            }
          )}
        </Alert>
      ) : (
        <Alert severity="warning" title={t('config.engine.missing', 'The embedded engine is not installed')}>
          <Stack direction="column" gap={1}>
            <Text>
              {t(
                'config.engine.choice',
                'Embedded storage runs the ClickHouse engine (libchdb.so, {{size}} MB download) inside this Grafana: right for one Grafana instance. For Grafana in HA (several replicas) or a large fleet, choose Server above and use a ClickHouse server; no engine is needed then.',
                { size: mb(state.package.size) }
              )}
            </Text>
            <Text color="secondary">
              {t('config.engine.looked', 'Looked for it at: {{places}}', {
                places: state.places.map((p) => `${p.path} (${p.source})`).join('; '),
              })}
            </Text>
          </Stack>
        </Alert>
      )}

      {f.state !== 'installed' && (
        <Stack direction="column" alignItems="flex-start" gap={1}>
          <Button
            type="button"
            icon="download-alt"
            data-testid={testIds.appConfig.engineDownload}
            disabled={!state.canFetch || fetching || starting}
            onClick={onDownload}
          >
            {t('config.engine.download', 'Download engine ({{size}} MB)', {
              size: mb(state.package.size),
            })}
          </Button>
          <Text color="secondary">
            {t(
              'config.engine.download-help',
              'Fetches {{name}}@{{version}} from {{url}} into {{dir}} and installs it only if its SHA-512 is {{integrity}}.',
              {
                name: state.package.name,
                version: state.package.version,
                url: state.package.url,
                dir: state.installDir,
                integrity: state.package.integrity,
              }
            )}
          </Text>
        </Stack>
      )}

      {fetching && (
        <Stack direction="column" gap={0.5}>
          <Text>
            {t('config.engine.progress', '{{phase}}: {{done}} of {{total}} MB ({{pct}}%)', {
              phase: f.phase ?? 'downloading',
              done: mb(f.bytesDone),
              total: mb(f.bytesTotal),
              pct,
            })}
          </Text>
          <div
            className={styles.track}
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            data-testid={testIds.appConfig.engineProgress}
          >
            <div className={styles.bar} style={{ width: `${pct}%` }} />
          </div>
        </Stack>
      )}

      {f.state === 'failed' && (
        <Alert severity="error" title={t('config.engine.failed', 'Download failed; nothing was installed')}>
          {f.error}
        </Alert>
      )}
      {error && (
        <Alert severity="error" title={t('config.engine.refused', 'The download did not start')}>
          {error}
        </Alert>
      )}

      {f.state !== 'installed' && (
        <details data-testid={testIds.appConfig.engineManual}>
          <summary>{t('config.engine.manual', 'No internet access from Grafana? Install it by hand')}</summary>
          <pre className={styles.pre}>{manualSteps(state)}</pre>
          <Text color="secondary">
            {t(
              'config.engine.manual-after',
              'Then reload the Overview: the backend retries opening the store within a minute, no restart needed.'
            )}
          </Text>
        </details>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), marginBottom: theme.spacing(2) }),
  track: css({
    height: theme.spacing(1),
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.pill,
    overflow: 'hidden',
  }),
  bar: css({ height: '100%', background: theme.colors.primary.main, transition: 'width 0.3s ease' }),
  pre: css({ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }),
});
