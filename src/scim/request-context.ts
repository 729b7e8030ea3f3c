/** What every SCIM operation runs under: the authenticated source, and where the server is reachable. */
export interface ScimContext {
  /** The source the bearer token belongs to; it sees and changes only its own users and groups. */
  sourceId: string;
  /** The SCIM base URL, e.g. `https://idsync.example.com/scim/v2`, for `meta.location` and `Location`. */
  base: string;
}
