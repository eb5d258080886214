// Builds the browser test host (tests/browser/host) into .cache/browser-host/: one bundle with
// React, @grafana/ui, @grafana/data and @grafana/runtime — the modules Grafana shares with plugins —
// plus Grafana UI's icons. The plugin itself is NOT bundled here: the host loads dist/module.js.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';

const root = path.resolve(__dirname, '..', '..');

const config = (): Configuration => ({
  mode: 'development',
  devtool: false,
  context: root,
  entry: { host: './tests/browser/host/host.tsx' },
  output: {
    path: path.join(root, '.cache', 'browser-host'),
    publicPath: '/public/host/',
    filename: '[name].js',
    clean: true,
  },
  cache: { type: 'filesystem', cacheDirectory: path.join(root, '.cache', 'webpack-host') },
  resolve: {
    extensions: ['.js', '.jsx', '.ts', '.tsx', '.mjs'],
    alias: {
      // setPluginPage is how Grafana installs its page chrome; the package does not export it.
      '@kd-host/plugin-page': path.join(root, 'node_modules/@grafana/runtime/dist/esm/components/PluginPage.mjs'),
    },
  },
  module: {
    rules: [
      // Some of @grafana/ui's ESM dependencies import without file extensions.
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: { jsc: { target: 'es2020', parser: { syntax: 'typescript', tsx: true } } },
        },
      },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.(svg|png|woff2?|ttf|eot)$/, type: 'asset/resource' },
    ],
  },
  plugins: [
    new CopyWebpackPlugin({
      patterns: [{ from: path.join(root, 'node_modules/@grafana/ui/dist/public/img'), to: 'img' }],
    }),
  ],
  performance: { hints: false },
  stats: 'errors-warnings',
});

export default config;
