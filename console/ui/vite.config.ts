import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

/** Build of the browser UI: the agent console (`/`) and the phone simulator (`/simulator`). */
const root = fileURLToPath(new URL('.', import.meta.url));
const server = 'http://localhost:3000';

/** In dev, serve `/simulator` like the real server does (vite only knows `/simulator.html`). */
function simulatorRoute(): Plugin {
  return {
    name: 'omnichat-simulator-route',
    configureServer(dev) {
      dev.middlewares.use((req, _res, next) => {
        if (req.url === '/simulator' || req.url?.startsWith('/simulator?')) {
          req.url = req.url.replace('/simulator', '/simulator.html');
        }
        next();
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [preact(), simulatorRoute()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    rolldownOptions: {
      input: {
        console: fileURLToPath(new URL('./index.html', import.meta.url)),
        simulator: fileURLToPath(new URL('./simulator.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      '/api': server,
      '/webhooks': server,
      '/simulator/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
