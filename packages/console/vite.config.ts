import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the Wacht server at /console (packages/server/src/console/console-assets.ts):
// hashed files under assets/ are cached for a year, index.html never.
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", sourcemap: false },
});
