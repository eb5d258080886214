// Extends the scaffold's webpack config (.config/webpack) for this repo's layout:
// plugin.json is at the repo root (one file for the Go and the frontend builds), not in src/.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';
import { copyFilePatterns } from './.config/bundler/copyFiles.ts';

// Relative to the webpack context (src/), like every scaffold copy pattern.
const ROOT_PLUGIN_JSON = '../plugin.json';
// Copied when present, but the build must not require them (src/ holds no other JSON yet).
const OPTIONAL_FILES = new Set(['../LICENSE', '../CHANGELOG.md', '../README.md', '**/*.json']);

type CopyPattern = (typeof copyFilePatterns)[number] & { noErrorOnMissing?: boolean };

function rootCopyPatterns(): CopyPattern[] {
  let replaced = false;
  const patterns = copyFilePatterns.map((pattern: CopyPattern): CopyPattern => {
    if (pattern.from === 'plugin.json') {
      replaced = true;
      return { ...pattern, from: ROOT_PLUGIN_JSON };
    }
    if (OPTIONAL_FILES.has(pattern.from)) {
      return { ...pattern, noErrorOnMissing: true };
    }
    return pattern;
  });
  // Fail loudly if a scaffold update changes the patterns' shape, instead of shipping no plugin.json.
  if (!replaced) {
    throw new Error('webpack.config.ts: scaffold copy patterns no longer contain plugin.json; update the override');
  }
  // The nested datasource's logo, referenced relative to dist/datasource/plugin.json.
  return [...patterns, { from: 'datasource/img', to: 'datasource/img' }];
}

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);

  return {
    ...base,
    cache: {
      type: 'filesystem',
      buildDependencies: {
        config: [
          path.resolve(process.cwd(), '.config', 'webpack', 'webpack.config.ts'),
          path.resolve(process.cwd(), 'webpack.config.ts'),
          path.resolve(process.cwd(), 'plugin.json'),
        ],
      },
    },
    // The scaffold derives entries from src/**/plugin.json, but the app's plugin.json is at the
    // root; name the app entry and the nested datasource's (src/datasource/plugin.json).
    entry: { module: './module.tsx', 'datasource/module': './datasource/module.ts' },
    plugins: (base.plugins ?? []).map((plugin) =>
      plugin instanceof CopyWebpackPlugin ? new CopyWebpackPlugin({ patterns: rootCopyPatterns() }) : plugin
    ),
  };
};

export default config;
