"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { useState } from "react";
import { Toaster } from "sonner";
import { ApiError } from "@/lib/client/api-fetch";
import { PreferencesProvider, type Theme, type TimeZoneMode } from "./preferences";

export function Providers({ children, timeZone, theme }: { children: React.ReactNode; timeZone: TimeZoneMode; theme: Theme }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 15_000,
            refetchOnWindowFocus: false,
            // Client errors (4xx) will not change on retry; network and 5xx get one more try.
            retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 1,
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <NuqsAdapter>
        <PreferencesProvider initialTimeZone={timeZone} initialTheme={theme}>
          {children}
          <Toaster richColors closeButton theme={theme} position="bottom-right" />
        </PreferencesProvider>
      </NuqsAdapter>
    </QueryClientProvider>
  );
}
