// A real S3-compatible server for the asset-store tests: s3rver (pure Node) on loopback, port
// chosen by the OS, its objects in a temporary folder. Path-style, as AWS_ENDPOINT_URL users get.
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import S3rver from "s3rver";
import { ROOT } from "../helpers/tmp.js";

export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The standard AWS variables pointing at it, with s3rver's one key pair. */
  env: Record<string, string>;
  /** Paths (`/<bucket>/<key>`) of the objects it answered a GET for with 200, oldest first. */
  reads(): readonly string[];
  close(): Promise<void>;
}

/** Starts s3rver with `buckets` created. */
export async function startS3(buckets: readonly string[] = ["assets"]): Promise<S3Server> {
  const dir = mkdtempSync(join(ROOT, ".tmp", "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const reads: string[] = [];
  // Counted here, not by the client: a run can show its files really came from the bucket.
  server.httpServer?.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET") return;
    res.once("finish", () => {
      if (res.statusCode === 200) reads.push(new URL(req.url ?? "/", endpoint).pathname);
    });
  });
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    },
    reads: () => reads,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
