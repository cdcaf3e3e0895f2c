/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the PrivSyn service lives when the app is hosted elsewhere (default: same origin). */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
