/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run build` writes frontend/dist, which web_app/main.py serves at `/`.
// In development (`npm run dev`) API calls go to VITE_API_BASE_URL, or are proxied to a local service.
const api = process.env.PRIVSYN_DEV_API ?? "http://127.0.0.1:8001";
const routes = ["/synthesize", "/confirm_synthesis", "/jobs", "/download_synthesized_data", "/evaluate",
  "/sample_dataset", "/methods", "/whoami", "/healthz", "/readyz"];

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: { proxy: Object.fromEntries(routes.map((r) => [r, api])) },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    watch: false,
    testTimeout: 20_000, // the wide-table editor tests take seconds on a busy 2-core machine
  },
});
