import React from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { css } from '@emotion/css';
import type { AppPlugin, AppPluginMeta, GrafanaTheme2 } from '@grafana/data';
import { config, type PluginPageProps } from '@grafana/runtime';
import { Badge, Icon, type IconName, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';

import { DashboardPreview } from './DashboardPreview';

export const PLUGIN_ID = 'kubedoor-capacity-app';
type Role = 'Viewer' | 'Editor' | 'Admin';

interface Include {
  type: string;
  name: string;
  path?: string;
  icon?: IconName;
  action?: string;
  role?: Role;
  addToNav?: boolean;
}

export interface PluginJson {
  id: string;
  name: string;
  includes: Include[];
  roles: Array<{ role: { permissions: Array<{ action: string }> }; grants: Role[] }>;
}

const RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };
const ROLES: Role[] = ['Viewer', 'Editor', 'Admin'];

/** The host reads who the caller is from these cookies (as the browser run sets them); the page
 * reloads so the boot data, nav and every backend call carry the new role. */
function switchRole(role: Role) {
  document.cookie = `kd_role=${role}; path=/; SameSite=Strict`;
  document.cookie = `kd_user=${role.toLowerCase()}; path=/; SameSite=Strict`;
  window.location.reload();
}

/** Grafana's nav rules: an include is shown if the user's basic role grants its action or role. */
export function visibleIncludes(json: PluginJson, role: Role): Include[] {
  return json.includes.filter((inc) => {
    if (inc.type !== 'page' || !inc.addToNav) {
      return false;
    }
    if (inc.role) {
      return RANK[role] >= RANK[inc.role];
    }
    if (inc.action) {
      return json.roles.some(
        (r) => r.grants.some((g) => RANK[role] >= RANK[g]) && r.role.permissions.some((p) => p.action === inc.action)
      );
    }
    return true;
  });
}

const pagePath = (inc: Include) => (inc.path ?? '').replace('%PLUGIN_ID%', PLUGIN_ID);

interface ShellProps {
  plugin: AppPlugin;
  meta: AppPluginMeta;
  json: PluginJson;
  role: Role;
  login: string;
}

/** Grafana-like chrome: the app's nav on the left, the page on the right. */
export function Shell({ plugin, meta, json, role, login }: ShellProps) {
  const styles = useStyles2(getStyles);
  const location = useLocation();
  const nav = visibleIncludes(json, role);
  const Root = plugin.root!;
  const ConfigBody = plugin.configPages?.[0]?.body;
  return (
    <div className={styles.layout}>
      <nav className={styles.nav} data-testid="host-nav">
        <div className={styles.brand}>
          <img src={`/public/plugins/${PLUGIN_ID}/img/logo.svg`} alt="" width={24} height={24} />
          <Text weight="bold">{json.name}</Text>
        </div>
        {nav.map((inc) => (
          <a
            key={inc.name}
            href={pagePath(inc)}
            className={location.pathname === pagePath(inc) ? styles.active : styles.link}
          >
            <Icon name={inc.icon ?? 'apps'} /> {inc.name}
          </a>
        ))}
        <a href="/dashboards/preview" className={location.pathname.startsWith('/d') ? styles.active : styles.link}>
          <Icon name="apps" /> Dashboards (preview)
        </a>
        <div className={styles.who}>
          <Badge
            text={`${login} · ${role}`}
            color={role === 'Admin' ? 'purple' : role === 'Editor' ? 'blue' : 'darkgrey'}
          />
          <RadioButtonGroup<Role>
            size="sm"
            options={ROLES.map((r) => ({ label: r, value: r }))}
            value={role}
            onChange={switchRole}
            aria-label="Role"
            data-testid="host-role"
          />
          <Text variant="bodySmall" color="secondary">
            {`KubeDoor ${config.buildInfo.edition ?? 'browser test host'}: not Grafana`}
          </Text>
        </div>
      </nav>
      <main className={styles.main}>
        <Routes>
          <Route
            path={`/a/${PLUGIN_ID}/*`}
            element={
              <Root
                meta={meta}
                basename={`/a/${PLUGIN_ID}`}
                path={location.pathname}
                query={{}}
                onNavChanged={() => {}}
              />
            }
          />
          <Route
            path={`/plugins/${PLUGIN_ID}`}
            element={
              role !== 'Admin' || !ConfigBody ? (
                <Text color="error">Access denied: the configuration page is for Grafana admins.</Text>
              ) : (
                <HostPage title={`${json.name} · Configuration`}>
                  <ConfigBody plugin={plugin} query={{}} />
                </HostPage>
              )
            }
          />
          <Route path="/dashboards/preview" element={<DashboardPreview />} />
          <Route path="/d/:uid" element={<DashboardPreview />} />
          <Route path="*" element={<Navigate to={`/a/${PLUGIN_ID}/overview`} replace />} />
        </Routes>
      </main>
    </div>
  );
}

function HostPage({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Stack direction="column" gap={2}>
      <Text element="h1">{title}</Text>
      {children}
    </Stack>
  );
}

/** Stand-in for Grafana's PluginPage: the nav entry's name as the page title, then the page. */
export function makePluginPage(json: PluginJson) {
  return function HostPluginPage({ children, pageNav, subTitle, actions }: PluginPageProps) {
    const location = useLocation();
    const inc = json.includes.find((i) => i.path && location.pathname === pagePath(i));
    return (
      <Stack direction="column" gap={2}>
        <Stack direction="row" justifyContent="space-between" alignItems="center">
          <Text element="h1">{pageNav?.text ?? inc?.name ?? json.name}</Text>
          {actions}
        </Stack>
        {subTitle && <Text color="secondary">{subTitle}</Text>}
        <div>{children}</div>
      </Stack>
    );
  };
}

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({ display: 'flex', minHeight: '100vh', background: theme.colors.background.canvas }),
  nav: css({
    width: 240,
    flexShrink: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(2),
    borderRight: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
  }),
  brand: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', marginBottom: theme.spacing(2) }),
  link: css({
    padding: theme.spacing(0.75, 1),
    color: theme.colors.text.secondary,
    borderRadius: theme.shape.radius.default,
  }),
  active: css({
    padding: theme.spacing(0.75, 1),
    color: theme.colors.text.primary,
    background: theme.colors.action.selected,
    borderRadius: theme.shape.radius.default,
  }),
  who: css({ marginTop: 'auto', display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  main: css({ flexGrow: 1, padding: theme.spacing(3), minWidth: 0 }),
});
