// The workspace and DBFS browsers and the clusters list.
"use strict";

(() => {
  const { api, el, link, table, facts, pre, action, time, bytes, clusterBadge } = DBK;

  // "/a b/c" → "a%20b/c": each segment encoded, so any name survives the fragment.
  function encodePath(path) {
    return path.split("/").filter((s) => s !== "").map(encodeURIComponent).join("/");
  }
  function baseName(path) {
    const parts = path.split("/").filter((s) => s !== "");
    return parts.length ? parts[parts.length - 1] : "/";
  }
  // Breadcrumbs for "/a/b/c" in the browser `section`.
  function crumbs(section, title, path) {
    const parts = path.split("/").filter((s) => s !== "");
    const out = [link(section, title)];
    parts.forEach((part, i) => {
      out.push(" / ", link(section + "/" + parts.slice(0, i + 1).map(encodeURIComponent).join("/"), part));
    });
    return el("p", { class: "crumbs" }, out);
  }
  function base64Bytes(text) {
    const raw = atob(text || "");
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  // Hands `chunks` (Uint8Arrays) to the browser as a download called `name`.
  function download(chunks, name) {
    const url = URL.createObjectURL(new Blob(chunks, { type: "application/octet-stream" }));
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- workspace ------------------------------------------------------------------------------
  const EXTENSIONS = { PYTHON: ".py", SCALA: ".scala", SQL: ".sql", R: ".r" };

  // A SOURCE export split into its cells: lines "<comment> COMMAND ----------" separate them;
  // the first line ("# Databricks notebook source") is the header.
  function cells(source) {
    const lines = source.split("\n");
    if (lines.length && /Databricks notebook source/.test(lines[0])) lines.shift();
    const out = [[]];
    for (const line of lines) {
      if (/^\s*(#|--|\/\/)\s*COMMAND -{10}\s*$/.test(line)) out.push([]);
      else out[out.length - 1].push(line);
    }
    return out.map((c) => c.join("\n").replace(/^\n+|\n+$/g, "")).filter((c) => c !== "");
  }

  async function exportSource(path) {
    const exported = await api("GET", "2.0/workspace/export", { path, format: "SOURCE" });
    return base64Bytes(exported.content);
  }

  async function showNotebook(page, status) {
    const path = status.path;
    const source = new TextDecoder().decode(await exportSource(path));
    const list = cells(source);
    page.append(crumbs("workspace", "Workspace", path), el("h1", {}, baseName(path)),
      el("div", { class: "actions" }, action("Download source", async () =>
        download([await exportSource(path)], baseName(path) + (EXTENSIONS[status.language] || ".txt")))),
      facts([["Language", status.language], ["Modified", time(status.modified_at)], ["Object ID", String(status.object_id ?? "")]]),
      el("div", { class: "notebook" }, list.map((cell, i) =>
        el("div", { class: "cell" }, el("span", { class: "cell-number" }, "Cmd " + (i + 1)), pre(cell, "source")))));
  }

  DBK.route(/^workspace(?:\/(.*))?$/, async (page, rest) => {
    const path = "/" + (rest || "");
    const status = await api("GET", "2.0/workspace/get-status", { path });
    if (status.object_type === "NOTEBOOK") return showNotebook(page, status);
    if (status.object_type !== "DIRECTORY" && status.object_type !== "REPO") {
      page.append(crumbs("workspace", "Workspace", path), el("h1", {}, baseName(path)),
        facts([["Type", status.object_type], ["Size", bytes(status.size)], ["Modified", time(status.modified_at)]]),
        el("div", { class: "actions" }, action("Download", async () =>
          download([await exportSource(path)], baseName(path)))));
      return;
    }
    const listing = await api("GET", "2.0/workspace/list", { path });
    const objects = (listing.objects || []).slice().sort((a, b) =>
      (a.object_type === "DIRECTORY" ? 0 : 1) - (b.object_type === "DIRECTORY" ? 0 : 1) || a.path.localeCompare(b.path));
    page.append(crumbs("workspace", "Workspace", path), el("h1", {}, path === "/" ? "Workspace" : baseName(path)),
      table(["Name", "Type", "Language", "Size", "Modified"], objects.map((o) => [
        link("workspace/" + encodePath(o.path), baseName(o.path) + (o.object_type === "DIRECTORY" ? "/" : "")),
        o.object_type, o.language || "", o.size !== undefined ? bytes(o.size) : "", time(o.modified_at)]),
      "This folder is empty."));
  });

  // --- DBFS -----------------------------------------------------------------------------------
  const READ_CHUNK = 1024 * 1024;  // the most dbfs/read returns at once

  async function readDbfs(path, size) {
    const chunks = [];
    for (let offset = 0; offset < size || offset === 0;) {
      const part = await api("GET", "2.0/dbfs/read", { path, offset, length: READ_CHUNK });
      if (!part.bytes_read) break;
      chunks.push(base64Bytes(part.data));
      offset += part.bytes_read;
    }
    return chunks;
  }

  DBK.route(/^dbfs(?:\/(.*))?$/, async (page, rest) => {
    const path = "/" + (rest || "");
    const status = await api("GET", "2.0/dbfs/get-status", { path });
    page.append(crumbs("dbfs", "DBFS", path), el("h1", {}, path === "/" ? "DBFS" : baseName(path)));
    if (!status.is_dir) {
      page.append(facts([["Path", "dbfs:" + path], ["Size", bytes(status.file_size)], ["Modified", time(status.modification_time)]]),
        el("div", { class: "actions" }, action("Download", async () =>
          download(await readDbfs(path, status.file_size), baseName(path)))));
      return;
    }
    const listing = await api("GET", "2.0/dbfs/list", { path });
    const files = (listing.files || []).slice().sort((a, b) =>
      (a.is_dir ? 0 : 1) - (b.is_dir ? 0 : 1) || a.path.localeCompare(b.path));
    page.append(table(["Name", "Size", "Modified", ""], files.map((f) => [
      link("dbfs/" + encodePath(f.path), baseName(f.path) + (f.is_dir ? "/" : "")),
      f.is_dir ? "" : bytes(f.file_size), time(f.modification_time),
      f.is_dir ? "" : action("Download", async () => download(await readDbfs(f.path, f.file_size), baseName(f.path))),
    ]), "This folder is empty."));
  });

  // --- clusters -------------------------------------------------------------------------------
  const CHANGING = ["PENDING", "RESTARTING", "RESIZING", "TERMINATING"];

  function clusterActions(c) {
    const call = (endpoint) => async () => {
      await api("POST", "2.0/clusters/" + endpoint, { cluster_id: c.cluster_id });
      DBK.show(true);
    };
    const out = [];
    if (c.state === "TERMINATED" || c.state === "ERROR") out.push(action("Start", call("start")));
    if (c.state === "RUNNING") out.push(action("Restart", call("restart")));
    if (c.state !== "TERMINATED" && c.state !== "TERMINATING") out.push(action("Terminate", call("delete")));
    return el("span", { class: "row-actions" }, out);
  }

  DBK.route(/^clusters$/, async (page) => {
    const listing = await api("GET", "2.0/clusters/list", {});
    const clusters = listing.clusters || [];
    page.append(el("h1", {}, "Clusters"), table(["Name", "ID", "State", "Spark version", "Node type", "Workers", ""],
      clusters.map((c) => [c.cluster_name || "", c.cluster_id, el("span", { title: c.state_message || "" }, clusterBadge(c.state)),
                           c.spark_version || "", c.node_type_id || "",
                           String(c.num_workers ?? (c.autoscale ? c.autoscale.min_workers + "–" + c.autoscale.max_workers : "")),
                           clusterActions(c)]), "No clusters."));
    if (clusters.some((c) => CHANGING.includes(c.state))) DBK.refreshEvery(2000, () => true);
  });
})();
