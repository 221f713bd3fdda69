// Global setup for the Node test project. Later: starts a throwaway PostgreSQL when needed.
export default function setup(): void {}
