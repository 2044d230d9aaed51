// The inspector's offline worker: the visit pages and the shell they need, network first, the last copy when offline.
// It is served from /app/inspect/sw.js (not /static) with "Service-Worker-Allowed: /app/inspect" and registered with
// scope "/app/inspect": a worker may only control pages under its script's folder, and "/app/inspect/" (the default)
// would leave out the visit list at "/app/inspect" itself. That scope also covers "/app/inspections" (the lead's
// page): everything not listed below goes to the network untouched.
"use strict";

var PREFIX = "ws-inspect-";
var CACHE = PREFIX + "v2";
var SHELL = ["/static/app.css", "/static/inspect.css", "/static/htmx.min.js", "/static/inspect.js"];
var PAGE = /^\/app\/inspect(\/visits\/\d+)?$/;

function isPage(url) { return PAGE.test(url.pathname); }

function forget() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(PREFIX) === 0; }).map(function (k) { return caches.delete(k); }));
  });
}

// A page of this worker that redirects (to /login) or is refused means nobody, or somebody else, is logged in:
// the copies of the last inspector's pages must not outlive that.
function signedOut(response) {
  return response.type === "opaqueredirect" || response.redirected || response.status === 401 || response.status === 403;
}

function keep(key, response) {
  // Only whole, plain answers are kept: no query (?submitted=N, ?lang=en), no error page, nothing from elsewhere.
  if (response.status !== 200 || response.type !== "basic") { return Promise.resolve(); }
  return caches.open(CACHE).then(function (cache) { return cache.put(key, response); }).catch(function () { /* storage full */ });
}

function fromNetwork(request, url) {
  return fetch(request).then(function (response) {
    if (isPage(url) && signedOut(response)) {
      return forget().then(function () { return response; });
    }
    if (url.search) { return response; }
    return keep(request, response.clone()).then(function () { return response; });
  }, function (error) {
    return caches.match(request, { cacheName: CACHE, ignoreVary: true }).then(function (copy) {
      if (copy) { return copy; }
      throw error;
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (path) {
      return fetch(path).then(function (r) { return r.ok ? cache.put(path, r) : null; }).catch(function () { return null; });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(PREFIX) === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  // POSTs (start, end, findings, logout) go straight to the network and are never kept.
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (!isPage(url) && SHELL.indexOf(url.pathname) < 0) { return; }
  event.respondWith(fromNetwork(request, url));
});

// The page asks for a copy of itself when it was opened before the worker controlled it, or after a submit.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "forget") {
    event.waitUntil(forget());
    return;
  }
  if (data.type !== "remember" || typeof data.path !== "string") { return; }
  var url = new URL(data.path, self.location.origin);
  if (url.origin !== self.location.origin || !isPage(url) || url.search) { return; }
  event.waitUntil(fetch(url.href, { credentials: "same-origin" }).then(function (response) {
    if (signedOut(response)) { return forget(); }
    return keep(url.href, response);
  }).catch(function () { /* offline: nothing to refresh */ }));
});
