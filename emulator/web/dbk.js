// The pages' core: calls to the emulator's REST API, the token, DOM building, formatting and
// the fragment router. Every piece of data reaches the page as text (textContent, text nodes,
// attribute values): nothing the API returns is ever parsed as HTML.
"use strict";

const DBK = (() => {
  const TOKEN_KEY = "dbk-token";

  // --- the token -----------------------------------------------------------------------------
  // With `dbk emulator --token`, the API needs `Authorization: Bearer`. The page keeps the token
  // in sessionStorage (this tab, this origin only; gone when the tab closes) and sends it as that
  // header: no cookie, so the browser never attaches it to a request on its own.
  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (e) {
      return "";
    }
  }
  function setToken(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  }
  // "#token=T" or "#<route>&token=T" (a link the user made): keep T, drop it from the address
  // bar and history.
  function takeTokenFromFragment() {
    const hash = location.hash;
    const match = /(^#|&)token=([^&]*)/.exec(hash);
    if (!match) return;
    setToken(decodeURIComponent(match[2]));
    const rest = hash.slice(0, match.index) + hash.slice(match.index + match[0].length);
    const route = rest === "#" || rest === "" ? "#jobs" : rest.replace(/^&/, "#");
    history.replaceState(null, "", location.pathname + location.search + route);
  }

  // --- the API -------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // GET with query parameters, or POST with a JSON body (application/json: what the API's
  // no-token rules accept from a page of this origin, docs/security.md).
  async function api(method, path, params) {
    let url = "/api/" + path;
    const init = { method, headers: {}, credentials: "omit", cache: "no-store" };
    if (method === "GET") {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(params || {})) {
        if (v !== undefined && v !== null) query.set(k, String(v));
      }
      const text = query.toString();
      if (text) url += "?" + text;
    } else {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(params || {});
    }
    const t = token();
    if (t) init.headers["Authorization"] = "Bearer " + t;
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      throw new ApiError(0, "UNREACHABLE", "The emulator does not answer (" + e.message + ").");
    }
    const text = await response.text();
    let body = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch (e) {
      body = { message: text };
    }
    if (!response.ok) {
      throw new ApiError(response.status, body.error_code || "HTTP_" + response.status,
                         body.message || response.statusText);
    }
    return body;
  }

  // --- DOM -----------------------------------------------------------------------------------
  // el("a", {href: "#x", class: "c"}, "text", child, [more]): strings become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "onclick") node.addEventListener("click", v);
      else if (k === "onsubmit") node.addEventListener("submit", v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    append(node, children);
    return node;
  }
  function append(node, children) {
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else if (child instanceof Node) node.appendChild(child);
      else node.appendChild(document.createTextNode(String(child)));
    }
  }
  // A link inside the pages; `route` is a fragment such as "job/3".
  function link(route, ...children) {
    return el("a", { href: "#" + route }, ...children);
  }
  function table(headers, rows, emptyText) {
    if (!rows.length) return el("p", { class: "muted" }, emptyText || "Nothing here.");
    return el("div", { class: "table-wrap" },
      el("table", {},
        el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
        el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c)))))));
  }
  // A definition list of [label, value] pairs; empty values are left out.
  function facts(pairs) {
    const list = el("dl", { class: "facts" });
    for (const [label, value] of pairs) {
      if (value === undefined || value === null || value === "") continue;
      list.append(el("dt", {}, label), el("dd", {}, value));
    }
    return list;
  }
  function pre(text, cls) {
    return el("pre", { class: cls || "output" }, text);
  }
  function button(label, onclick, attrs) {
    return el("button", Object.assign({ type: "button", onclick }, attrs || {}), label);
  }
  // Runs an action from a button: disables it while it runs, reports a failure beside it.
  function action(label, run, attrs) {
    const b = button(label, async () => {
      b.disabled = true;
      try {
        await run();
      } catch (e) {
        showError(e);
      } finally {
        b.disabled = false;
      }
    }, attrs);
    return b;
  }

  // --- formatting ----------------------------------------------------------------------------
  function pad(n) {
    return String(n).padStart(2, "0");
  }
  function time(ms) {
    if (!ms) return "—";
    const d = new Date(Number(ms));
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
           pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function duration(ms) {
    if (ms === undefined || ms === null || ms < 0) return "—";
    if (ms < 10000) return (ms / 1000).toFixed(1) + "s";  // short runs: whole seconds mislead
    const s = Math.round(ms / 1000);
    if (s < 60) return s + "s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + "m " + (s % 60) + "s";
    return Math.floor(m / 60) + "h " + (m % 60) + "m";
  }
  function bytes(n) {
    if (n === undefined || n === null) return "—";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let v = Number(n);
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return (i === 0 ? String(v) : v.toFixed(1)) + " " + units[i];
  }
  const LIVE_STATES = ["QUEUED", "PENDING", "RUNNING", "TERMINATING", "BLOCKED", "WAITING_FOR_RETRY"];
  function isLive(state) {
    return !!state && LIVE_STATES.includes(state.life_cycle_state);
  }
  // The state of a run or task as a coloured badge: the result once there is one.
  function stateBadge(state) {
    if (!state) return el("span", { class: "badge" }, "—");
    const life = state.life_cycle_state || "";
    const result = state.result_state || "";
    let text = result || life || "—";
    let kind = "neutral";
    if (result === "SUCCESS") kind = "success";
    else if (["FAILED", "TIMEDOUT", "INTERNAL_ERROR", "MAXIMUM_CONCURRENT_RUNS_REACHED",
              "UPSTREAM_FAILED"].includes(result) || life === "INTERNAL_ERROR") kind = "failed";
    else if (["CANCELED", "UPSTREAM_CANCELED", "EXCLUDED"].includes(result) || life === "SKIPPED") kind = "canceled";
    else if (isLive(state)) kind = "live";
    if (!result && life === "INTERNAL_ERROR") text = "INTERNAL_ERROR";
    return el("span", { class: "badge " + kind, "data-state": text }, text);
  }
  function clusterBadge(state) {
    let kind = "neutral";
    if (state === "RUNNING") kind = "success";
    else if (state === "ERROR") kind = "failed";
    else if (["PENDING", "RESTARTING", "RESIZING", "TERMINATING"].includes(state)) kind = "live";
    else if (state === "TERMINATED") kind = "canceled";
    return el("span", { class: "badge " + kind, "data-state": state || "" }, state || "—");
  }

  // --- routing -------------------------------------------------------------------------------
  const routes = [];  // [regexp, render(main, ...groups)]
  let timer = null;
  let generation = 0;  // bumps on every navigation, so late answers of an old page are dropped

  function route(pattern, render) {
    routes.push([pattern, render]);
  }
  function main() {
    return document.getElementById("main");
  }
  function current() {
    const hash = location.hash.replace(/^#/, "");
    return hash === "" ? "jobs" : hash;
  }
  // Refreshes the current page every `ms` while `again()` says so.
  function refreshEvery(ms, again) {
    stopRefresh();
    const mine = generation;
    timer = setTimeout(() => {
      if (mine === generation && again()) show(true);
    }, ms);
  }
  function stopRefresh() {
    if (timer) clearTimeout(timer);
    timer = null;
  }
  function decodeGroups(groups) {
    return groups.map((g) => (g === undefined ? undefined : decodeURIComponent(g)));
  }
  // Renders the page the fragment names. `refresh`: the same page again (keeps the old
  // content until the new one is ready, so a live page does not flicker).
  async function show(refresh) {
    stopRefresh();
    if (!refresh) generation++;
    const mine = generation;
    const path = current();
    const section = path.split("/")[0];
    for (const a of document.querySelectorAll("nav a")) {
      a.classList.toggle("active", a.dataset.section === section ||
                                   (section === "job" && a.dataset.section === "jobs"));
    }
    document.getElementById("forget-token").hidden = !token();
    const target = el("div", { class: "page" });
    if (!refresh) {
      delete main().dataset.shown;
      main().replaceChildren(el("p", { class: "muted" }, "Loading…"));
    }
    try {
      let rendered = false;
      for (const [pattern, render] of routes) {
        const match = pattern.exec(path);
        if (!match) continue;
        await render(target, ...decodeGroups(match.slice(1)));
        rendered = true;
        break;
      }
      if (!rendered) target.append(el("h1", {}, "Not found"), el("p", {}, "No page is called " + path + "."));
    } catch (e) {
      if (mine !== generation) return;
      if (e instanceof ApiError && e.status === 401) {
        stopRefresh();
        main().replaceChildren(loginForm(e));
        main().dataset.shown = location.hash;
        return;
      }
      target.append(errorBox(e));
    }
    if (mine !== generation) return;
    main().replaceChildren(target);
    // Which fragment the content shows: a test (or a script) waits for it to match the address
    // instead of finding the previous page's content before the new one has been rendered.
    main().dataset.shown = location.hash;
  }

  function loginForm(error) {
    const input = el("input", { type: "password", name: "token", autocomplete: "off",
                                id: "token-input", required: true });
    const form = el("form", { class: "login", onsubmit: (event) => {
      event.preventDefault();
      setToken(input.value.trim());
      show(false);
    } },
    el("h1", {}, "Token needed"),
    el("p", {}, "This emulator was started with a token (" + error.message + "). Paste it here; " +
                "the page keeps it for this tab only and sends it as the API's bearer token."),
    el("label", { for: "token-input" }, "Token"), input,
    el("button", { type: "submit" }, "Open"));
    return form;
  }

  function errorBox(e) {
    const code = e instanceof ApiError ? e.code + ": " : "";
    return el("div", { class: "error-box", role: "alert" }, code + (e.message || String(e)));
  }
  // An action's failure, shown at the top of the page until the next navigation.
  function showError(e) {
    if (e instanceof ApiError && e.status === 401) {
      main().replaceChildren(loginForm(e));
      return;
    }
    const box = errorBox(e);
    main().prepend(box);
  }

  function start() {
    takeTokenFromFragment();
    document.getElementById("forget-token").addEventListener("click", () => {
      setToken("");
      show(false);
    });
    window.addEventListener("hashchange", () => show(false));
    show(false);
  }

  return {
    api, ApiError, el, link, table, facts, pre, button, action, time, duration, bytes,
    isLive, stateBadge, clusterBadge, route, refreshEvery, show, start, showError,
  };
})();
