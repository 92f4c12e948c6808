// JSON requests to the portal's own API. Errors carry the API's {"error": "..."} message.

import { language } from "./i18n.js";

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function getJSON(url, { signal } = {}) {
  const response = await fetch(url, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    signal,
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // An empty or non-JSON body: the status says enough.
  }
  if (!response.ok) throw new ApiError(response.status, body?.error || response.statusText);
  return body;
}

/**
 * Appends query parameters to a URL or URL template. Built by hand rather than with URL(),
 * which would percent-encode the {z}/{x}/{y} of a tile template.
 */
export function withQuery(url, params) {
  const query = params instanceof URLSearchParams ? params : new URLSearchParams(params);
  const text = query.toString();
  if (!text) return url;
  return url + (url.includes("?") ? "&" : "?") + text;
}

/** A tile URL that names the page's language (?lang=): the tile's names are in it, so a cache
 *  may keep and share the tile by its URL alone, and a language switch never redraws tiles
 *  cached in the other language. */
export function tilesInPageLanguage(url, params = {}) {
  const query = new URLSearchParams(params);
  query.set("lang", language);
  return withQuery(url, query);
}

export function isAbort(error) {
  return error?.name === "AbortError";
}
