/**
 * The one place that builds the service's parts from the configuration. Entry points call
 * these; tests call them too, with a test configuration and the odd part replaced.
 *
 * Each part lives in src/wiring/ so that a process imports only what it runs: the worker
 * process (src/start.ts, role `worker`) builds on createStorage and never loads Express, helmet,
 * the admin routes, the Losant client or the schedules. Importing this file loads them all.
 */
export { createStorage, type Storage, type StorageOverrides } from './wiring/storage.js';
export { addServices, createCore, type Core, type CoreOverrides } from './wiring/core.js';
export { createWebApp } from './wiring/web-app.js';
export { createPipeline, type Pipeline, type PipelineOverrides } from './wiring/pipeline.js';
export { createWorkerRuntime, type WorkerRuntime } from './wiring/worker-runtime.js';
