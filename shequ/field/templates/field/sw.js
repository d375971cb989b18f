{% load i18n %}/* Shequ field app service worker (served from /field/sw.js, scope /field/).
   The app shell and the worker's own pages are kept for offline use; uploads
   are never cached (the page's queue in IndexedDB handles them). Logging out
   deletes every cache (app.js). */
"use strict";
const VERSION = "{{ version }}";
const CACHE = "shequ-field-" + VERSION;
const SHELL = {{ shell|safe }};
const LOGIN = "{% url 'core:login' %}";
const OFFLINE_PAGES = {{ offline_pages|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        SHELL.map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((response) => {
              if (response.ok && !response.redirected) return cache.put(url, response);
            })
            .catch(() => undefined)
        )
      )
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("shequ-field-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function cacheKey(url) {
  // The visit form is one page for every household (?household= is read by the script).
  return url.pathname === "{% url 'field:visit_form' %}" ? url.pathname : url.pathname + url.search;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((c) => c.put(request, copy)); }
        return response;
      }))
    );
    return;
  }
  // Only the phone pages are kept offline; review pages and photos stay on the server.
  const home = "{% url 'field:today' %}";
  const kept = OFFLINE_PAGES.some((page) => (page === home ? url.pathname === home : url.pathname.startsWith(page)));
  if (!kept) return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.url.includes(LOGIN)) {
        // Logged out (or the session ended): the cached pages show residents' names.
        caches.keys().then((keys) => Promise.all(keys.map((k) => caches.delete(k))));
        return response;
      }
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((c) => c.put(cacheKey(url), copy));
      }
      return response;
    }).catch(() =>
      caches.match(cacheKey(url)).then((hit) => hit || caches.match("{% url 'field:today' %}")).then((hit) =>
        hit || new Response("<!doctype html><meta charset=utf-8><title>{% filter escapejs %}{% translate '离线' %}{% endfilter %}</title><p>{% filter escapejs %}{% translate '当前离线，此页面尚未缓存。请联网后再打开。' %}{% endfilter %}</p>", { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } })
      )
    )
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "wipe") {
    event.waitUntil(caches.keys().then((keys) => Promise.all(keys.map((k) => caches.delete(k)))));
  }
});
