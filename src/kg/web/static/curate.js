// The curator page: validate an addition, show each problem under the lines it is about,
// and submit it once it conforms. No external code.
(function () {
  "use strict";
  const data = document.getElementById("data");
  const format = document.getElementById("format");
  const file = document.getElementById("file");
  const status = document.getElementById("status");
  const submit = document.getElementById("submit");
  const section = document.getElementById("report-section");
  const summary = document.getElementById("summary");
  const listing = document.getElementById("listing");
  const extensions = { ttl: "turtle", nt: "nt", jsonld: "json-ld", json: "json-ld", rdf: "xml", xml: "xml" };

  file.addEventListener("change", async function () {
    if (!file.files.length) return;
    const chosen = file.files[0];
    data.value = await chosen.text();
    const ext = chosen.name.split(".").pop().toLowerCase();
    if (extensions[ext]) format.value = extensions[ext];
    submit.disabled = true;
  });
  data.addEventListener("input", function () { submit.disabled = true; });

  function body() {
    const form = new URLSearchParams({ data: data.value, format: format.value });
    return form;
  }

  document.getElementById("validate").addEventListener("click", async function () {
    status.textContent = "Validating…";
    const response = await fetch("/validate", { method: "POST", body: body(), headers: { "Accept": "application/json" } });
    const report = await response.json();
    status.textContent = "";
    show(report, response.status);
    submit.disabled = !(response.ok && report.conforms);
  });

  submit.addEventListener("click", async function () {
    status.textContent = "Submitting…";
    const form = body();
    form.set("comment", document.getElementById("comment").value);
    const response = await fetch("/submissions", {
      method: "POST", body: form,
      headers: { "Accept": "application/json", "Authorization": "Bearer " + document.getElementById("token").value },
    });
    const answer = await response.json();
    if (response.status === 201) {
      status.textContent = "Stored as submission " + answer.id + " (" + answer.triples + " statements).";
      submit.disabled = true;
    } else if (answer.results) {
      status.textContent = "Not stored.";
      show(answer, response.status);
    } else {
      status.textContent = "Not stored: " + answer.message;
    }
  });

  // Which lines of the text a result is about: those naming its focus node (full IRI or local name).
  function linesOf(result, lines) {
    const focus = result.focus_node || "";
    const local = focus.split(/[\/#]/).pop();
    const hits = [];
    lines.forEach(function (line, i) {
      if (focus && (line.includes(focus) || (local && line.includes(":" + local)))) hits.push(i);
    });
    return hits;
  }

  function show(report, httpStatus) {
    section.hidden = false;
    const lines = data.value.split("\n");
    const notes = {};
    let unplaced = [];
    if (report.error) {
      summary.textContent = report.message + (report.line ? " (line " + report.line + ", column " + report.column + ")" : "");
      if (report.line) notes[report.line - 1] = [{ severity: "Error", message: report.message }];
    } else {
      summary.textContent = report.conforms
        ? "Conforms: every shape is satisfied and every quote is verbatim. You can submit."
        : report.results.length + " problem" + (report.results.length === 1 ? "" : "s") + " to fix.";
      report.results.forEach(function (r) {
        const hits = linesOf(r, lines);
        if (!hits.length) { unplaced.push(r); return; }
        const at = hits[hits.length - 1];
        (notes[at] = notes[at] || []).push(r);
      });
    }
    const table = document.createElement("table");
    table.className = "source";
    lines.forEach(function (line, i) {
      const row = table.insertRow();
      const number = row.insertCell();
      number.className = "ln";
      number.textContent = String(i + 1);
      const code = row.insertCell();
      code.className = "code" + (notes[i] ? " flagged" : "");
      code.textContent = line;
      (notes[i] || []).forEach(function (r) {
        const noteRow = table.insertRow();
        noteRow.insertCell();
        const cell = noteRow.insertCell();
        cell.className = "note " + String(r.severity).toLowerCase();
        cell.textContent = r.severity + ": " + (r.path ? r.path.split(/[\/#]/).pop() + ": " : "") + r.message;
      });
    });
    listing.replaceChildren(table);
    unplaced.forEach(function (r) {
      const p = document.createElement("p");
      p.className = "note " + String(r.severity).toLowerCase();
      p.textContent = r.severity + " on " + (r.label || r.focus_node) + ": " + r.message;
      listing.appendChild(p);
    });
  }
}());
