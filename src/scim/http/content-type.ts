/** The media type of every SCIM response body (RFC 7644 §3.1), whichever layer answers. */
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
