import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './ConfigEditor';
import { DataSource } from './datasource';
import { QueryEditor } from './QueryEditor';
import type { KubeDoorOptions, KubeDoorQuery } from './types';

// No lazy imports here: this entry is served from dist/datasource/, while webpack's async
// chunks live in dist/, so the datasource must be one self-contained file.
export const plugin = new DataSourcePlugin<DataSource, KubeDoorQuery, KubeDoorOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
