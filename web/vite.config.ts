import { defineConfig } from "vite";

// The Go server (techmarketd serve) answers the API and serves dist/.
// During `npm run dev` the API calls go to it through this proxy; set
// TECHMARKET_DEV_API to where it listens.
const api = process.env.TECHMARKET_DEV_API ?? "http://127.0.0.1:7733";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    // Every browser the portal supports has modulepreload; the polyfill
    // would only add bytes.
    modulePreload: { polyfill: false },
    sourcemap: false,
    // A release is byte-identical when rebuilt: names carry content
    // hashes only, and nothing in the output depends on the clock.
    rollupOptions: {
      output: {
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  server: {
    proxy: {
      // Connect and gRPC-Web: /techmarket.v1.OfferService/GetOffer …
      "/techmarket.v1.": { target: api, changeOrigin: false },
      // REST+JSON routes and /openapi.json's neighbours.
      "/v1/": { target: api, changeOrigin: false },
    },
  },
});
