// ESLint 9 flat config with typescript-eslint: the recommended rules, relaxed where the code
// deliberately does otherwise (tests read untyped JSON bodies, catalogue factories take `any`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// What Node provides to the plain .mjs scripts (TypeScript files are checked by tsc instead).
const NODE_GLOBALS = ["process", "console", "Buffer", "URL", "URLSearchParams", "fetch", "performance", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "AbortController", "TextEncoder", "TextDecoder", "structuredClone", "queueMicrotask"];

export default tseslint.config(
  { ignores: ["**/dist/**", "packages/server/bundle/**", "**/node_modules/**", "bench/results/**", "packages/console/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: Object.fromEntries(NODE_GLOBALS.map((name) => [name, "readonly"])) },
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      "@typescript-eslint/ban-ts-comment": ["error", { "ts-expect-error": "allow-with-description" }],
      "no-control-regex": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
  { files: ["**/*.ts"], rules: { "no-undef": "off" } },
);
