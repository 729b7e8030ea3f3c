// The parts of newman's programmatic API the conformance runner uses (newman ships no types).
declare module 'newman' {
  interface NewmanAssertion {
    assertion: string;
    skipped?: boolean;
    error?: { name: string; message: string };
  }
  interface NewmanExecution {
    item: { name: string };
    request?: { method: string; url: { toString(): string } };
    response?: { code: number };
    assertions?: NewmanAssertion[];
    requestError?: { message: string };
  }
  interface NewmanSummary {
    run: { executions: NewmanExecution[]; failures: unknown[] };
  }
  interface NewmanRunOptions {
    collection: unknown;
    environment?: unknown;
    reporters?: string | string[];
    timeoutRequest?: number;
  }
  function run(options: NewmanRunOptions, callback: (error: Error | null, summary: NewmanSummary) => void): unknown;
  const newman: { run: typeof run };
  export default newman;
}
