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
// LICENSE and CHANGELOG.md are not optional: the catalog archive must carry them.
const OPTIONAL_FILES = new Set(['../README.md', '**/*.json']);

// plugin.json lists screenshots under img/screenshots/ (their place in dist/); the files are the
// browser run's docs/screenshots/, kept in one place for the README and the catalog.
const SCREENSHOTS_IN_DIST = 'img/screenshots/';
const SCREENSHOTS_SOURCE = '../docs/screenshots/';

type CopyPattern = (typeof copyFilePatterns)[number] & { noErrorOnMissing?: boolean };

function screenshotPattern(pattern: CopyPattern): CopyPattern {
  const name = pattern.from.slice(SCREENSHOTS_IN_DIST.length);
  if (name === '' || name.includes('/')) {
    throw new Error(`webpack.config.ts: screenshot ${pattern.from} must be a file directly in ${SCREENSHOTS_IN_DIST}`);
  }
  return { ...pattern, from: SCREENSHOTS_SOURCE + name };
}

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
    if (pattern.from.startsWith(SCREENSHOTS_IN_DIST)) {
      return screenshotPattern(pattern);
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
    // Keep a symlinked node_modules (a git worktree sharing another checkout's) at its link path,
    // so source maps name node_modules/… and Grafana's validator can tell packages from sources.
    resolve: { ...base.resolve, symlinks: false },
    plugins: (base.plugins ?? []).map((plugin) =>
      plugin instanceof CopyWebpackPlugin ? new CopyWebpackPlugin({ patterns: rootCopyPatterns() }) : plugin
    ),
  };
};

export default config;
