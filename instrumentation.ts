/** Next.js calls register() once when the server starts: migrate, bootstrap, load demo data. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServiceOrExit } = await import("./lib/service/start-service");
  await startServiceOrExit();
}
