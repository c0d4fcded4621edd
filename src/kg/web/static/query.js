// The query page: run the query through the endpoint and show the answer. No external code.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const examples = JSON.parse(document.getElementById("example-data").textContent);
  const picker = document.getElementById("examples");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const section = document.getElementById("results-section");
  const results = document.getElementById("results");
  const endpoint = form.getAttribute("action");

  picker.addEventListener("change", function () {
    editor.value = examples[Number(picker.value)].query;
  });

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  document.querySelectorAll("a.download").forEach(function (link) {
    link.addEventListener("click", function () {
      const params = new URLSearchParams({ query: editor.value, format: link.dataset.format });
      link.href = endpoint + "?" + params.toString();
    });
  });

  function isGraphQuery(text) {
    const body = text.replace(/#[^\n]*/g, " ");
    const match = body.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return match !== null && /CONSTRUCT|DESCRIBE/i.test(match[1]);
  }

  function showError(body) {
    let message = body.message || String(body);
    if (body.line) {
      message += "\n(line " + body.line + ", column " + body.column + ")";
      selectLine(body.line);
    }
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function selectLine(line) {
    const lines = editor.value.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    const end = start + (lines[line - 1] || "").length;
    editor.focus();
    editor.setSelectionRange(start, end);
  }

  async function run() {
    errorBox.hidden = true;
    status.textContent = "Running…";
    const graph = isGraphQuery(editor.value);
    const started = performance.now();
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": graph ? "text/turtle" : "application/sparql-results+json",
        },
        body: new URLSearchParams({ query: editor.value }),
      });
    } catch (err) {
      status.textContent = "";
      showError({ message: "The server could not be reached: " + err });
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.textContent = "Failed (" + response.status + ")";
      const text = await response.text();
      try { showError(JSON.parse(text)); } catch (e) { showError({ message: text }); }
      return;
    }
    section.hidden = false;
    if (graph) {
      const text = await response.text();
      const pre = document.createElement("pre");
      pre.textContent = text;
      results.replaceChildren(pre);
      status.textContent = "Done in " + seconds + " s";
      return;
    }
    const data = await response.json();
    if ("boolean" in data) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = "Answer: " + (data.boolean ? "yes (true)" : "no (false)");
      results.replaceChildren(p);
      status.textContent = "Done in " + seconds + " s";
      return;
    }
    results.replaceChildren(table(data));
    const n = data.results.bindings.length;
    status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + seconds + " s";
  }

  function table(data) {
    const vars = data.head.vars;
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    vars.forEach(function (v) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      head.appendChild(th);
    });
    const body = t.createTBody();
    data.results.bindings.forEach(function (binding) {
      const row = body.insertRow();
      vars.forEach(function (v) {
        const cell = row.insertCell();
        const term = binding[v];
        if (!term) return;
        // only http(s) IRIs become links: a `javascript:` IRI in the data stays text
        if (term.type === "uri" && /^https?:/i.test(term.value)) {
          const a = document.createElement("a");
          a.href = term.value;
          a.textContent = term.value;
          cell.appendChild(a);
        } else {
          cell.textContent = term.value;
          if (term["xml:lang"]) {
            const lang = document.createElement("span");
            lang.className = "lang";
            lang.textContent = " @" + term["xml:lang"];
            cell.appendChild(lang);
          }
        }
      });
    });
    return t;
  }
}());
