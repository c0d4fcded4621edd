// The query page: a SPARQL editor (the vendored CodeMirror 5, if it loaded), the endpoint's
// answer as a sortable, paged table with labels or as a chart, downloads in the answer's
// formats, and errors marked in the editor. No external code; the server's data (completion
// terms, prefixes, the site's base IRI) comes in the inert #editor-data block.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("editor-data").textContent);
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const picker = document.getElementById("examples");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const section = document.getElementById("results-section");
  const results = document.getElementById("results");
  const views = document.getElementById("views");
  const copyButton = document.getElementById("copy-link");
  const endpoint = form.getAttribute("action");
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short",
    "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map(function (t) { return XSD + t; }));
  const DATES = new Set(["gYear", "date", "dateTime", "gYearMonth"].map(function (t) { return XSD + t; }));
  const PAGE_SIZE = 50;
  // The page does not guess the query's form: it takes either kind of answer and the server,
  // which parses the query, picks the one that fits (a graph as Turtle, shown as text).
  const ANSWERS = "application/sparql-results+json, text/turtle;q=0.9";
  const KEYWORDS = ("SELECT DISTINCT WHERE FILTER OPTIONAL UNION MINUS BIND VALUES GRAPH ORDER BY " +
    "GROUP HAVING LIMIT OFFSET ASK CONSTRUCT DESCRIBE PREFIX COUNT SUM AVG MIN MAX SAMPLE " +
    "GROUP_CONCAT LANG LANGMATCHES STR REGEX CONTAINS STRSTARTS YEAR EXISTS NOT IN AS DESC ASC").split(" ");
  const EXTENSIONS = { json: "json", xml: "xml", csv: "csv", tsv: "tsv", turtle: "ttl",
    nt: "nt", "json-ld": "jsonld", rdfxml: "rdf" };

  // The text of the example the picker names, while the editor holds it unchanged: once the
  // editor holds anything else, the picker goes back to "Pick an example…".
  let picked = picker.value ? textarea.value : null;
  // CodeMirror 5 lays out a very long unbroken line in time that grows with its square (a
  // 30,000-character comment froze the tab for 10 s): such a text stays in the plain textarea.
  const LONGEST_LINE = 5000;
  const tooLong = textarea.value.split("\n").some(function (l) { return l.length > LONGEST_LINE; });
  const editor = window.CodeMirror && !tooLong ? codeEditor() : plainEditor();
  if (tooLong) {
    document.getElementById("query-help").textContent = "A line is longer than " + LONGEST_LINE +
      " characters, so the query is shown as plain text, without highlighting or completion. " +
      "Ctrl+Enter runs it.";
  }
  let shown = null; // the table on screen: {vars, rows, sort, dir, page, labels, numeric, chart}

  // ------------------------------------------------------------ the editor

  function codeEditor() {
    // Tab indents in the editor; Escape, then Tab (or Shift+Tab), leaves it: a key map that
    // hands Tab back to the browser holds from Escape until any other key.
    const leave = { "Tab": false, "Shift-Tab": false };
    let marks = [];
    const cm = window.CodeMirror.fromTextArea(textarea, {
      mode: "sparql",
      lineNumbers: true,
      indentUnit: 2,
      screenReaderLabel: "SPARQL query",
      gutters: ["query-error-gutter", "CodeMirror-linenumbers"],
      extraKeys: {
        "Ctrl-Enter": run,
        "Cmd-Enter": run,
        "Ctrl-Space": function (cm) { cm.showHint({ hint: complete, completeSingle: false }); },
        "Esc": function (cm) { cm.removeKeyMap(leave); cm.addKeyMap(leave); },
      },
    });
    cm.on("keydown", function (cm, event) {
      if (event.key !== "Escape" && event.key !== "Tab" && event.key !== "Shift") cm.removeKeyMap(leave);
    });
    cm.on("blur", function () { cm.removeKeyMap(leave); });
    cm.on("change", function () { cm.save(); clear(); edited(); }); // the textarea stays the form's field
    cm.on("inputRead", function (cm) {
      const word = wordBefore(cm);
      if (/^[A-Za-z][\w-]*:[\w-]*$/.test(word.text) && !cm.state.completionActive) {
        cm.showHint({ hint: complete, completeSingle: false });
      }
    });
    document.getElementById("query-label").addEventListener("click", function () { cm.focus(); });

    function clear() {
      marks.forEach(function (undo) { undo(); });
      marks = [];
    }
    return {
      get: function () { return cm.getValue(); },
      set: function (text) { cm.setValue(text); },
      clearError: clear,
      markError: function (line, column, message) {
        clear();
        const at = Math.min(Math.max(line - 1, 0), cm.lineCount() - 1);
        const handle = cm.addLineClass(at, "background", "query-error-line");
        const marker = document.createElement("span");
        marker.className = "query-error-marker";
        marker.textContent = "!";
        marker.title = message;
        cm.setGutterMarker(at, "query-error-gutter", marker);
        marks.push(function () {
          cm.removeLineClass(handle, "background", "query-error-line");
          cm.setGutterMarker(handle, "query-error-gutter", null);
        });
        if (column) {
          // The server counts code points, CodeMirror UTF-16 units: an emoji is one, or two.
          // Past the end: the line's last character.
          const points = Array.from(cm.getLine(at));
          const index = Math.max(0, Math.min(column - 1, points.length - 1));
          const ch = points.slice(0, index).join("").length;
          const end = ch + (points[index] || "").length;
          if (end > ch) {
            const mark = cm.markText({ line: at, ch: ch }, { line: at, ch: end },
              { className: "query-error-at", attributes: { title: message } });
            marks.push(function () { mark.clear(); });
          }
          cm.setCursor({ line: at, ch: ch });
        }
        cm.scrollIntoView({ line: at, ch: 0 }, 40);
      },
    };
  }

  function plainEditor() { // the script ran but the editor did not load: the textarea as it is
    textarea.addEventListener("input", function () { edited(); });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      }
    });
    return {
      get: function () { return textarea.value; },
      set: function (text) { textarea.value = text; },
      clearError: function () {},
      markError: function (line) {
        const lines = textarea.value.split("\n");
        let start = 0;
        for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
        textarea.focus();
        textarea.setSelectionRange(start, start + (lines[line - 1] || "").length);
      },
    };
  }

  function wordBefore(cm) {
    const cursor = cm.getCursor();
    const line = cm.getLine(cursor.line);
    let start = cursor.ch;
    while (start > 0 && /[\w:-]/.test(line[start - 1])) start--;
    return { text: line.slice(start, cursor.ch), start: start, cursor: cursor, before: line[start - 1] };
  }

  // Completion: variables after ? or $, else prefixes, the ontology's terms (by name or by
  // label) and keywords.
  function complete(cm) {
    const word = wordBefore(cm);
    const token = cm.getTokenAt(word.cursor);
    if (token.type === "comment" || token.type === "string") return null;
    const typed = word.text.toLowerCase();
    let list = [];
    if (word.before === "?" || word.before === "$") {
      const seen = new Set(cm.getValue().match(/[?$][A-Za-z_]\w*/g) || []);
      seen.forEach(function (v) {
        const name = v.slice(1);
        if (name.toLowerCase().startsWith(typed) && name !== word.text) list.push(name);
      });
    } else if (typed.includes(":")) {
      const local = typed.slice(typed.indexOf(":") + 1);
      const named = data.terms.filter(function (t) { return t[0].toLowerCase().startsWith(typed); });
      const labelled = data.terms.filter(function (t) { // by a word of the label too: "twin" finds "City twinning"
        return typed.startsWith("kg:") && local && !named.includes(t) && (" " + t[1].toLowerCase()).includes(" " + local);
      });
      list = named.concat(labelled).map(termItem);
    } else {
      Object.keys(data.prefixes).forEach(function (p) {
        if (p.startsWith(typed)) list.push({ text: p + ":", displayText: p + ": <" + data.prefixes[p] + ">" });
      });
      if (typed) {
        data.terms.forEach(function (t) {
          if (t[1].toLowerCase().startsWith(typed)) list.push(termItem(t));
        });
        KEYWORDS.forEach(function (k) { if (k.toLowerCase().startsWith(typed)) list.push(k); });
      }
    }
    if (!list.length) return null;
    const result = { list: list.slice(0, 60), from: window.CodeMirror.Pos(word.cursor.line, word.start), to: word.cursor };
    window.CodeMirror.on(result, "shown", function () { // the list box needs a name
      document.querySelectorAll(".CodeMirror-hints").forEach(function (box) {
        box.setAttribute("aria-label", "Completions");
      });
    });
    return result;
  }

  function termItem(term) {
    return { text: term[0], displayText: term[0] + " — " + (term[1] || "") + " (" + term[2] + ")" };
  }

  // ------------------------------------------------------------ the page's controls

  let examples = null;
  document.getElementById("open-example").hidden = true; // picking one opens it
  picker.addEventListener("change", async function () {
    if (!picker.value) return;
    try {
      examples = examples || await (await fetch(form.dataset.examples)).json();
    } catch (err) {
      status.textContent = "The examples could not be loaded: " + err;
      return;
    }
    const found = examples.find(function (ex) { return ex.id === picker.value; });
    if (!found) return;
    picked = found.query;
    editor.set(found.query);
  });

  function edited() {
    if (picked !== null && editor.get() !== picked) {
      picked = null;
      picker.value = "";
    }
  }

  function permalink(query) {
    return new URL(form.dataset.page + "?" + new URLSearchParams({ query: query }), window.location.href).href;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  copyButton.hidden = false;
  copyButton.addEventListener("click", async function () {
    const url = permalink(editor.get());
    window.history.replaceState(null, "", url);
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = "Link copied; it is also in the address bar.";
    } catch (err) {
      status.textContent = "The link is in the address bar (the clipboard is not available).";
    }
  });

  views.addEventListener("click", function (event) {
    const button = event.target.closest("button.view");
    if (!button || !shown) return;
    views.querySelectorAll("button.view").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b === button));
    });
    shown.view = button.dataset.view;
    render();
  });

  // ------------------------------------------------------------ running

  function clearResults() {
    shown = null;
    section.hidden = true;
    views.hidden = true;
    results.replaceChildren();
    errorBox.hidden = true;
    errorBox.textContent = "";
    editor.clearError();
  }

  function showError(body) {
    clearResults(); // an error replaces the old results: they answered another query
    let message = body.message || String(body);
    if (body.line) {
      message += "\n(line " + body.line + ", column " + body.column + ")";
      editor.markError(body.line, body.column, body.message || "");
    }
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  // Each run has a number; an answer that comes for an earlier run than the latest is dropped
  // (its fetch is aborted too), so the results, downloads and status are the shown query's.
  let runs = 0;
  let running = null;

  async function run() {
    const query = editor.get();
    const ticket = ++runs;
    const replaced = running !== null; // an earlier run was still waiting for its answer
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    clearResults();
    // The address becomes the query's permalink: Back from a result's link reloads this query
    // (the server puts it in the editor), not the page's first example.
    window.history.replaceState(null, "", permalink(query));
    status.textContent = "Running…";
    const started = performance.now();
    let response, body;
    try {
      response = await post(query, ANSWERS, controller.signal);
      // The aborted query may still hold this client's place on the server until it ends (429):
      // wait as the server says, a few times, rather than show that refusal.
      for (let tries = 0; replaced && response.status === 429 && tries < 5; tries++) {
        const wait = Number(response.headers.get("Retry-After")) || 1;
        if (wait > 5) break;
        status.textContent = "Waiting for the previous query to stop…";
        await new Promise(function (done) { setTimeout(done, wait * 1000); });
        if (ticket !== runs) return;
        status.textContent = "Running…";
        response = await post(query, ANSWERS, controller.signal);
      }
      body = await response.text();
    } catch (err) {
      if (ticket !== runs) return;
      status.textContent = "";
      showError({ message: "The server could not be reached: " + err });
      return;
    }
    if (ticket !== runs) return;
    running = null;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.textContent = "Failed (" + response.status + ")";
      try { showError(JSON.parse(body)); } catch (e) { showError({ message: body }); }
      return;
    }
    const graph = !/^application\/sparql-results\+json\b/.test(response.headers.get("Content-Type") || "");
    setDownloads(graph ? "graph" : "solutions", query);
    section.hidden = false;
    if (graph) {
      const pre = document.createElement("pre");
      pre.textContent = body;
      results.replaceChildren(pre);
      status.textContent = "Done in " + seconds + " s";
      return;
    }
    const answer = JSON.parse(body);
    if (Object.hasOwn(answer, "boolean")) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = "Answer: " + (answer.boolean ? "yes (true)" : "no (false)");
      results.replaceChildren(p);
      status.textContent = "Done in " + seconds + " s";
      return;
    }
    showTable(answer);
    const n = answer.results.bindings.length;
    status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + seconds + " s";
  }

  function post(query, accept, signal) {
    return fetch(endpoint, {
      method: "POST",
      signal: signal,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: new URLSearchParams({ query: query }),
    });
  }

  function setDownloads(kind, query) {
    document.querySelectorAll("p.downloads").forEach(function (p) {
      p.hidden = p.dataset.kind !== kind;
    });
    document.querySelectorAll("p.downloads[data-kind=" + kind + "] a.download").forEach(function (a) {
      a.href = endpoint + "?" + new URLSearchParams({ query: query, format: a.dataset.format });
      a.download = "result." + EXTENSIONS[a.dataset.format];
    });
  }

  // ------------------------------------------------------------ the table

  function showTable(answer) {
    const vars = answer.head.vars;
    const rows = answer.results.bindings;
    const numeric = new Set(vars.filter(function (v) { return columnIs(rows, v, isNumber); }));
    shown = { vars: vars, rows: rows, sort: null, dir: 1, page: 0, labels: new Map(),
      numeric: numeric, view: "table", chart: chartSpec(vars, rows, numeric) };
    views.hidden = !shown.chart;
    views.querySelectorAll("button.view").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.view === "table"));
    });
    render();
    lookUpLabels(shown);
  }

  function isNumber(term) {
    return (term.type === "literal" || term.type === "typed-literal") && NUMERIC.has(term.datatype) &&
      isFinite(Number(term.value));
  }

  function isDate(term, name) {
    if (term.type !== "literal" && term.type !== "typed-literal") return false;
    if (DATES.has(term.datatype)) return true;
    const n = Number(term.value);
    return /year|date/i.test(name) && NUMERIC.has(term.datatype) && Number.isInteger(n) && n > 999 && n < 3000;
  }

  // A row's binding of a variable: its own key only (a variable may be named "constructor").
  function termOf(row, name) {
    return Object.hasOwn(row, name) ? row[name] : undefined;
  }

  function columnIs(rows, name, test) {
    let bound = 0;
    for (const row of rows) {
      const term = termOf(row, name);
      if (!term) continue;
      if (!test(term, name)) return false;
      bound++;
    }
    return bound > 0;
  }

  function render() {
    if (shown.view === "chart" && shown.chart) {
      results.replaceChildren(chart(shown));
      return;
    }
    const ordered = sortedRows();
    const first = shown.page * PAGE_SIZE;
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    shown.vars.forEach(function (v) {
      const th = document.createElement("th");
      th.scope = "col";
      if (shown.numeric.has(v)) th.className = "num";
      if (shown.sort === v) th.setAttribute("aria-sort", shown.dir > 0 ? "ascending" : "descending");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = v;
      const arrow = document.createElement("span");
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = shown.sort === v ? (shown.dir > 0 ? " ▲" : " ▼") : " ↕";
      button.appendChild(arrow);
      button.addEventListener("click", function () {
        shown.dir = shown.sort === v ? -shown.dir : 1;
        shown.sort = v;
        shown.page = 0;
        render();
        results.querySelector("th[aria-sort] button").focus();
      });
      th.appendChild(button);
      head.appendChild(th);
    });
    const body = table.createTBody();
    ordered.slice(first, first + PAGE_SIZE).forEach(function (binding) {
      const row = body.insertRow();
      shown.vars.forEach(function (v) { cell(row.insertCell(), termOf(binding, v)); });
    });
    const parts = [table];
    if (ordered.length > PAGE_SIZE) parts.push(pager(ordered.length));
    results.replaceChildren.apply(results, parts);
  }

  function sortedRows() {
    if (!shown.sort) return shown.rows;
    const v = shown.sort;
    const numeric = shown.numeric.has(v);
    return shown.rows.slice().sort(function (rowA, rowB) {
      const a = termOf(rowA, v), b = termOf(rowB, v);
      if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1); // unbound last, either way
      const order = numeric ? Number(a.value) - Number(b.value)
        : text(a).localeCompare(text(b), undefined, { numeric: true });
      return order * shown.dir;
    });
  }

  function pager(total) {
    const nav = document.createElement("nav");
    nav.className = "pager";
    nav.setAttribute("aria-label", "Result pages");
    const last = Math.ceil(total / PAGE_SIZE) - 1;
    const where = document.createElement("span");
    const first = shown.page * PAGE_SIZE;
    where.textContent = "Rows " + (first + 1) + "–" + Math.min(first + PAGE_SIZE, total) + " of " + total;
    nav.append(pageButton("Previous", shown.page - 1, last), where, pageButton("Next", shown.page + 1, last));
    return nav;
  }

  function pageButton(label, target, last) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary page-" + label.toLowerCase();
    button.textContent = label;
    button.disabled = target < 0 || target > last;
    button.addEventListener("click", function () {
      shown.page = target;
      render();
      const again = results.querySelector(".page-" + label.toLowerCase());
      (again.disabled ? results.querySelector(".pager button:not([disabled])") : again).focus();
    });
    return button;
  }

  function localLink(iri) { // as describe.link_for: our IRIs are pages here; others as they are
    if (iri.startsWith(data.base)) return "/" + iri.slice(data.base.length);
    return /^https?:/i.test(iri) ? iri : "";
  }

  function compact(iri) {
    for (const p in data.prefixes) {
      const ns = data.prefixes[p];
      if (iri.startsWith(ns) && /^[\w-]*$/.test(iri.slice(ns.length))) return p + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  function text(term) {
    if (term.type === "uri") return (shown && shown.labels.get(term.value)) || compact(term.value);
    return term.type === "bnode" ? "_:" + term.value : term.value;
  }

  function cell(td, term) {
    if (!term) return;
    const href = term.type === "uri" ? localLink(term.value) : "";
    if (href) { // only http(s) IRIs become links: a `javascript:` IRI in the data stays text
      const a = document.createElement("a");
      a.href = href;
      a.textContent = text(term);
      if (a.textContent !== term.value) a.title = term.value;
      td.appendChild(a);
      return;
    }
    td.textContent = text(term);
    if (isNumber(term)) td.className = "num";
    if (term["xml:lang"]) {
      const lang = document.createElement("span");
      lang.className = "lang";
      lang.textContent = " @" + term["xml:lang"];
      td.appendChild(lang);
    }
  }

  // One follow-up query for the labels of the IRIs in the answer (English or untagged first).
  async function lookUpLabels(table) {
    const iris = new Set();
    table.rows.forEach(function (row) {
      table.vars.forEach(function (v) {
        const t = termOf(row, v);
        if (t && t.type === "uri" && /^[^\s<>"{}|\\^`]+$/.test(t.value)) iris.add(t.value);
      });
    });
    if (!iris.size) return;
    const values = Array.from(iris).slice(0, 2000).map(function (i) { return "<" + i + ">"; }).join(" ");
    const query = "SELECT ?s ?label WHERE { VALUES ?s { " + values + " } ?s rdfs:label ?label }";
    let answer;
    try {
      const response = await post(query, "application/sparql-results+json");
      if (!response.ok) return;
      answer = await response.json();
    } catch (err) {
      return; // the IRIs stay as they are
    }
    const rank = function (t) { const l = t["xml:lang"] || ""; return l === "en" ? 0 : l === "" ? 1 : 2; };
    const best = new Map();
    answer.results.bindings.forEach(function (b) {
      const old = best.get(b.s.value);
      if (!old || rank(b.label) < rank(old)) best.set(b.s.value, b.label);
    });
    best.forEach(function (label, iri) { table.labels.set(iri, label.value); });
    if (shown === table) render();
  }

  // ------------------------------------------------------------ the chart

  // A chart is offered when a column is numeric: its values against a label column, drawn as a
  // line when the labels are points on one time axis, each once: all plain years, or all full
  // dates (placed at their real time). Mixed precision (2023, 2023-03, 2024-04-30) has no one
  // axis, so it is drawn as bars in the answer's order.
  function chartSpec(vars, rows, numeric) {
    if (rows.length < 2) return null;
    const dated = vars.find(function (v) { return columnIs(rows, v, isDate); });
    const label = dated || vars.find(function (v) { return !numeric.has(v); });
    const value = vars.find(function (v) { return numeric.has(v) && v !== label; });
    if (!label || !value) return null;
    const keys = rows.map(function (r) { return timeOf(termOf(r, label), label); });
    const line = Boolean(dated) && keys.every(function (k) { return k !== null && k.kind === keys[0].kind; }) &&
      new Set(keys.map(function (k) { return k.at; })).size === keys.length;
    return { label: label, value: value, line: line };
  }

  // A term's place in time: {kind: "year" | "day", at: a number}, or null when it is neither a
  // plain year nor a full date (a gYearMonth, a year with a time zone, a word…).
  function timeOf(term, name) {
    if (!term || !isDate(term, name)) return null;
    const v = term.value;
    if (/^\d{4}$/.test(v)) return { kind: "year", at: Number(v) };
    if ((term.datatype === XSD + "date" || term.datatype === XSD + "dateTime") && /^\d{4}-\d{2}-\d{2}/.test(v)) {
      const at = Date.parse(term.datatype === XSD + "date" ? v.slice(0, 10) : v);
      return isNaN(at) ? null : { kind: "day", at: at };
    }
    return null;
  }

  function svg(name, attrs, content) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function chart(table) {
    const spec = table.chart;
    const rows = table.rows.filter(function (r) { return termOf(r, spec.label) && termOf(r, spec.value); }).slice(0, 200);
    const values = rows.map(function (r) { return Number(termOf(r, spec.value).value); });
    const max = Math.max.apply(null, values.concat([0]));
    const min = Math.min.apply(null, values.concat([0]));
    const figure = document.createElement("figure");
    figure.className = "chart";
    const title = spec.value + " by " + spec.label + (spec.line ? " (line chart)" : " (bar chart)");
    const caption = document.createElement("figcaption");
    caption.id = "chart-caption";
    caption.textContent = "Chart: " + title + (table.rows.length > rows.length ? ", first " + rows.length + " rows" : "");
    const drawn = spec.line ? lineChart(rows, values, min, max, spec) : barChart(rows, values, min, max, spec);
    drawn.setAttribute("role", "img");
    drawn.setAttribute("aria-labelledby", "chart-caption");
    figure.append(drawn, caption);
    return figure;
  }

  function barChart(rows, values, min, max, spec) {
    const left = 230, width = 760, bar = 22, top = 10;
    const height = top + rows.length * bar + 10;
    const scale = function (x) { return left + (x - min) / ((max - min) || 1) * (width - left - 70); };
    const root = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "bar-chart" });
    rows.forEach(function (r, i) {
      const y = top + i * bar;
      const name = text(termOf(r, spec.label));
      const g = svg("g", {});
      g.appendChild(svg("title", {}, name + ": " + values[i]));
      g.appendChild(svg("text", { x: left - 8, y: y + 15, "text-anchor": "end", class: "axis-label" },
        name.length > 32 ? name.slice(0, 31) + "…" : name));
      const x0 = scale(Math.max(min, 0)), x1 = scale(values[i]);
      g.appendChild(svg("rect", { x: Math.min(x0, x1), y: y + 3, width: Math.max(1, Math.abs(x1 - x0)),
        height: bar - 6, class: "bar" }));
      g.appendChild(svg("text", { x: Math.max(x0, x1) + 6, y: y + 15, class: "value-label" }, String(values[i])));
      root.appendChild(g);
    });
    return root;
  }

  function lineChart(rows, values, min, max, spec) {
    const width = 760, height = 320, left = 70, right = 20, top = 20, bottom = 40;
    const points = rows.map(function (r, i) { return [timeOf(termOf(r, spec.label), spec.label).at, values[i], r]; })
      .sort(function (a, b) { return a[0] - b[0]; });
    const x0 = points[0][0], x1 = points[points.length - 1][0];
    const sx = function (x) { return left + (x - x0) / ((x1 - x0) || 1) * (width - left - right); };
    const sy = function (y) { return top + (1 - (y - min) / ((max - min) || 1)) * (height - top - bottom); };
    const root = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "line-chart" });
    root.appendChild(svg("line", { x1: left, y1: sy(min), x2: width - right, y2: sy(min), class: "axis" }));
    root.appendChild(svg("line", { x1: left, y1: top, x2: left, y2: sy(min), class: "axis" }));
    [min, (min + max) / 2, max].forEach(function (t) {
      root.appendChild(svg("text", { x: left - 8, y: sy(t) + 4, "text-anchor": "end", class: "axis-label" },
        String(Math.round(t * 100) / 100)));
    });
    root.appendChild(svg("polyline", { class: "series", fill: "none",
      points: points.map(function (p) { return sx(p[0]) + "," + sy(p[1]); }).join(" ") }));
    let free = 0; // x labels are thinned out: one is drawn only where it does not touch the last
    points.forEach(function (p) {
      const g = svg("g", {});
      const name = text(termOf(p[2], spec.label));
      g.appendChild(svg("title", {}, name + ": " + p[1]));
      g.appendChild(svg("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 4, class: "point" }));
      root.appendChild(g);
      const half = name.length * 4.5 + 4; // 13px digits are about 7.5px wide, with a margin
      const x = Math.min(Math.max(sx(p[0]), half), width - half);
      if (x - half >= free) {
        root.appendChild(svg("text", { x: x, y: height - bottom + 18, "text-anchor": "middle",
          class: "axis-label x-label" }, name));
        free = x + half;
      }
    });
    return root;
  }

  if (form.dataset.run) run(); // a shared link (?query=) shows its answer
}());
