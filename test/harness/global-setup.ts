// Placeholder until the platform harness lands: starts nothing.
export default async function globalSetup(): Promise<void> {}
