/// <reference types="vite/client" />

// For plain `tsc` (the root `npm run typecheck`), which cannot read .vue files; `vue-tsc` checks them
// for real (`vue-tsc --noEmit -p app/renderer/tsconfig.json`) and resolves the actual files first.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<any, any, any>
  export default component
}
