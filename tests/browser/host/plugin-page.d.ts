// Types of the aliased @grafana/runtime file (see webpack.host.config.ts).
import type { PluginPageType } from '@grafana/runtime';

export declare function setPluginPage(component: PluginPageType): void;
