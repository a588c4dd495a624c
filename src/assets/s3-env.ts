/** The standard AWS variables an S3 asset store reads, as the AWS SDKs and CLI name them. */
export const AWS_VARIABLES = [
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/** The AWS variables set in an environment (an empty one counts as unset). */
export type AwsEnv = Partial<Record<(typeof AWS_VARIABLES)[number], string>>;

/** Picks the AWS variables out of `env`; `resolveOptions` calls it, so only it reads the environment. */
export function awsEnvFrom(env: NodeJS.ProcessEnv): AwsEnv {
  const out: AwsEnv = {};
  for (const name of AWS_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== "") out[name] = value;
  }
  return out;
}
