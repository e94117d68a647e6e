// Jobs: the list, a job's page, and the run page at the URL the Jobs API hands out
// (/?o=0#job/<job_id>/run/<run_id>).
"use strict";

(() => {
  const { api, el, link, table, facts, pre, action, time, duration, isLive, stateBadge } = DBK;

  function schedule(settings) {
    if (settings.schedule) {
      const s = settings.schedule;
      return s.quartz_cron_expression + " (" + (s.timezone_id || "UTC") + ")" +
             (s.pause_status === "PAUSED" ? ", paused" : "");
    }
    if (settings.continuous) return "continuous" + (settings.continuous.pause_status === "PAUSED" ? ", paused" : "");
    if (settings.trigger) return "trigger" + (settings.trigger.pause_status === "PAUSED" ? ", paused" : "");
    return "manual";
  }

  async function allJobs() {
    const jobs = [];
    let pageToken;
    for (;;) {
      const page = await api("GET", "2.1/jobs/list", { limit: 100, page_token: pageToken });
      jobs.push(...(page.jobs || []));
      if (!page.has_more || !page.next_page_token) return jobs;
      pageToken = page.next_page_token;
    }
  }

  DBK.route(/^jobs$/, async (page) => {
    const jobs = await allJobs();
    const latest = await Promise.all(jobs.map((job) =>
      api("GET", "2.1/jobs/runs/list", { job_id: job.job_id, limit: 1 })
        .then((r) => (r.runs || [])[0], () => undefined)));
    page.append(el("h1", {}, "Jobs"), table(["Name", "ID", "Schedule", "Last run"],
      jobs.map((job, i) => {
        const run = latest[i];
        return [
          link("job/" + job.job_id, job.settings.name || "Untitled"),
          String(job.job_id),
          schedule(job.settings),
          run ? el("span", {}, stateBadge(run.state), " ",
                   link("job/" + job.job_id + "/run/" + run.run_id, time(run.start_time)))
              : "never run",
        ];
      }), "No jobs yet."));
    if (latest.some((run) => run && isLive(run.state))) DBK.refreshEvery(3000, () => true);
  });

  function taskKind(task) {
    if (task.notebook_task) return ["notebook", task.notebook_task.notebook_path];
    if (task.spark_python_task) return ["Python file", task.spark_python_task.python_file];
    if (task.python_wheel_task) return ["wheel", task.python_wheel_task.package_name + " " + task.python_wheel_task.entry_point];
    if (task.spark_jar_task) return ["JAR", task.spark_jar_task.main_class_name];
    if (task.spark_submit_task) return ["spark-submit", (task.spark_submit_task.parameters || []).join(" ")];
    if (task.run_job_task) return ["job", String(task.run_job_task.job_id)];
    if (task.sql_task) return ["SQL", ""];
    return ["task", ""];
  }
  function clusterOf(task) {
    if (task.existing_cluster_id) return "cluster " + task.existing_cluster_id;
    if (task.job_cluster_key) return "job cluster " + task.job_cluster_key;
    if (task.new_cluster) return "new cluster (" + (task.new_cluster.spark_version || "") + ")";
    return "";
  }
  function params(object) {
    if (!object) return null;
    const entries = Array.isArray(object) ? object.map((p) => [p.name, p.default !== undefined ? p.default : p.value])
                                          : Object.entries(object);
    if (!entries.length) return null;
    return el("ul", { class: "params" }, entries.map(([k, v]) =>
      el("li", {}, el("code", {}, k), " = ", el("code", {}, typeof v === "string" ? v : JSON.stringify(v)))));
  }

  async function runNow(jobId, body) {
    const started = await api("POST", "2.1/jobs/run-now", Object.assign({ job_id: Number(jobId) }, body || {}));
    location.hash = "#job/" + jobId + "/run/" + started.run_id;
  }

  DBK.route(/^job\/(\d+)$/, async (page, jobId) => {
    const [job, runs] = await Promise.all([
      api("GET", "2.1/jobs/get", { job_id: jobId }),
      api("GET", "2.1/jobs/runs/list", { job_id: jobId, limit: 25 }),
    ]);
    const s = job.settings || {};
    page.append(
      el("p", { class: "crumbs" }, link("jobs", "Jobs"), " / ", String(job.job_id)),
      el("h1", {}, s.name || "Untitled"),
      el("div", { class: "actions" }, action("Run now", () => runNow(jobId))),
      facts([["Job ID", String(job.job_id)], ["Created", time(job.created_time)],
             ["Creator", job.creator_user_name], ["Schedule", schedule(s)],
             ["Max concurrent runs", s.max_concurrent_runs], ["Timeout", s.timeout_seconds ? s.timeout_seconds + "s" : ""],
             ["Parameters", params(s.parameters)]]),
      el("h2", {}, "Tasks"),
      el("ol", { class: "tasks" }, (s.tasks || []).map((task) => {
        const [kind, what] = taskKind(task);
        const deps = (task.depends_on || []).map((d) => d.task_key);
        return el("li", {},
          el("strong", {}, task.task_key || "task"), " ", el("span", { class: "muted" }, kind), " ", el("code", {}, what),
          facts([["Depends on", deps.join(", ")], ["Cluster", clusterOf(task)],
                 ["Parameters", params(task.notebook_task && task.notebook_task.base_parameters) ||
                                params(task.spark_python_task && task.spark_python_task.parameters)],
                 ["Retries", task.max_retries ? String(task.max_retries) : ""]]));
      })));
    if ((s.job_clusters || []).length) {
      page.append(el("h2", {}, "Job clusters"), table(["Key", "Spark version", "Node type", "Workers"],
        s.job_clusters.map((c) => [c.job_cluster_key, (c.new_cluster || {}).spark_version || "",
                                    (c.new_cluster || {}).node_type_id || "",
                                    String((c.new_cluster || {}).num_workers ?? "")])));
    }
    const list = runs.runs || [];
    page.append(el("h2", {}, "Recent runs"), table(["Run", "Start", "Duration", "Trigger", "State"],
      list.map((run) => [link("job/" + jobId + "/run/" + run.run_id, String(run.run_id)), time(run.start_time),
                         duration(runDuration(run)), run.trigger || "", stateBadge(run.state)]), "No runs yet."));
    if (list.some((run) => isLive(run.state))) DBK.refreshEvery(3000, () => true);
  });

  function runDuration(run) {
    if (run.run_duration) return run.run_duration;
    if (run.end_time) return run.end_time - run.start_time;
    if (run.start_time && isLive(run.state)) return Date.now() - run.start_time;
    return undefined;
  }

  // What the run was started with, as run-now takes it again.
  function sameParameters(run) {
    if (run.job_parameters && run.job_parameters.length) {
      const job_parameters = {};
      for (const p of run.job_parameters) job_parameters[p.name] = p.value !== undefined ? p.value : p.default;
      return { job_parameters };
    }
    return Object.assign({}, run.overriding_parameters || {});
  }

  // Re-runs the failed tasks (and those skipped because of them) within the same run.
  async function repair(run) {
    const body = { run_id: run.run_id, rerun_all_failed_tasks: true };
    const history = (await api("GET", "2.1/jobs/runs/get", { run_id: run.run_id, include_history: true })).repair_history || [];
    const repairs = history.filter((item) => item.type === "REPAIR");
    if (repairs.length) body.latest_repair_id = repairs[repairs.length - 1].id;
    await api("POST", "2.1/jobs/runs/repair", body);
    DBK.show(true);
  }

  function output(task, out) {
    const parts = [];
    if (!out) return parts;
    if (out.error) parts.push(el("h4", {}, "Error"), pre(out.error, "output error"));
    if (out.error_trace) parts.push(el("details", { open: true }, el("summary", {}, "Trace"), pre(out.error_trace, "output trace")));
    const result = out.notebook_output && out.notebook_output.result;
    if (result !== undefined) {
      parts.push(el("h4", {}, "Exit value" + (out.notebook_output.truncated ? " (truncated)" : "")),
                 pre(result, "output result"));
    }
    if (out.logs) parts.push(el("h4", {}, "Output" + (out.logs_truncated ? " (truncated)" : "")), pre(out.logs, "output logs"));
    return parts;
  }

  DBK.route(/^(?:job\/(\d+)\/)?run\/(\d+)$/, async (page, jobIdInUrl, runId) => {
    const run = await api("GET", "2.1/jobs/runs/get", { run_id: runId });
    const jobId = run.job_id || jobIdInUrl;
    const tasks = run.tasks && run.tasks.length ? run.tasks : [Object.assign({}, run, { task_key: run.run_name || "run" })];
    const outputs = await Promise.all(tasks.map((task) =>
      task.run_id ? api("GET", "2.1/jobs/runs/get-output", { run_id: task.run_id }).catch((e) => ({ _failed: e })) : null));
    const live = isLive(run.state);
    const buttons = [];
    if (live) {
      buttons.push(action("Cancel", async () => {
        await api("POST", "2.1/jobs/runs/cancel", { run_id: run.run_id });
        DBK.show(true);
      }, { id: "cancel-run" }));
    } else if (jobId && Number(jobId) > 0) {
      if (run.state && run.state.result_state && run.state.result_state !== "SUCCESS") {
        buttons.push(action("Repair run", () => repair(run), { id: "repair-run" }));
      }
      buttons.push(action("Run again", () => runNow(jobId, sameParameters(run)), { id: "run-again" }));
    }
    page.append(
      el("p", { class: "crumbs" }, link("jobs", "Jobs"), " / ",
         jobId && Number(jobId) > 0 ? link("job/" + jobId, run.run_name || "job " + jobId) : (run.run_name || "one-time run"),
         run.parent_run_id ? [" / ", link("job/" + jobId + "/run/" + run.parent_run_id, "run " + run.parent_run_id)] : null,
         run.parent_run_id ? " / task run " + run.run_id : " / run " + run.run_id),
      el("h1", {}, "Run " + run.run_id + " ", stateBadge(run.state)),
      el("div", { class: "actions" }, buttons),
      facts([["Status", (run.state && run.state.state_message) || ""],
             ["Lifecycle", run.state && run.state.life_cycle_state],
             ["Started", time(run.start_time)], ["Ended", run.end_time ? time(run.end_time) : ""],
             ["Duration", duration(runDuration(run))],
             ["Trigger", run.trigger], ["Run type", run.run_type],
             ["Parameters", params(run.job_parameters) || params(run.overriding_parameters &&
                            (run.overriding_parameters.notebook_params || run.overriding_parameters.python_params))],
             ["Cluster", run.cluster_instance && run.cluster_instance.cluster_id]]),
      el("h2", {}, "Tasks"));
    tasks.forEach((task, i) => {
      const out = outputs[i];
      const cluster = (task.cluster_instance && task.cluster_instance.cluster_id) || clusterOf(task);
      page.append(el("section", { class: "task", "data-task": task.task_key || "" },
        el("h3", {}, task.task_key || "task", " ", stateBadge(task.state)),
        facts([["Task run", task.run_id ? String(task.run_id) : ""], ["What", taskKind(task).join(" ")],
               ["Started", time(task.start_time)], ["Duration", duration(runDuration(task))],
               ["Cluster", cluster], ["Attempt", task.attempt_number ? String(task.attempt_number) : ""],
               ["Message", task.state && task.state.state_message]]),
        out && out._failed ? el("p", { class: "muted" }, "No output: " + out._failed.message) : output(task, out)));
    });
    if (live) DBK.refreshEvery(2000, () => true);
  });
})();
