// The review flow: send an article to be drafted, then accept, reject and edit the drafted
// facts and submit the accepted ones. The server builds the Turtle; this page sends only the
// curator's decisions. No external code.
(function () {
  "use strict";
  const TOKEN_KEY = "kg-curator-token";  // kept for this tab only, to carry it to the draft's page
  const token = document.getElementById("token");
  const status = document.getElementById("status");
  if (token && !token.value) token.value = sessionStorage.getItem(TOKEN_KEY) || "";

  function authorization() {
    sessionStorage.setItem(TOKEN_KEY, token.value);
    return { "Accept": "application/json", "Authorization": "Bearer " + token.value };
  }

  async function answerOf(response) {
    try { return await response.json(); } catch (e) { return { message: response.status + " " + response.statusText }; }
  }

  // ---------------------------------------------------------------- the article form
  const draftForm = document.getElementById("draft-form");
  if (draftForm) {
    const problem = document.getElementById("problem");
    draftForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      problem.hidden = true;
      status.textContent = "Drafting… (this takes a few seconds)";
      const body = new FormData(draftForm);  // the text stays in the form whatever happens
      const response = await fetch("/curate/review", { method: "POST", body: body, headers: authorization() });
      const answer = await answerOf(response);
      if (response.status === 201) {
        status.textContent = "Drafted " + answer.facts + " facts; opening the draft…";
        window.location.assign(answer.location);
        return;
      }
      status.textContent = "";
      problem.textContent = "Not drafted: " + answer.message;
      problem.hidden = false;
    });
    return;
  }

  // ---------------------------------------------------------------- the draft's page
  // The page holds nothing of the draft: it asks for it with the curator's token (only the
  // curator who drafted it is given it), then puts it in itself.
  const openForm = document.getElementById("open-form");
  if (!openForm) return;
  const holder = document.getElementById("draft");
  const openStatus = document.getElementById("open-status");
  const openProblem = document.getElementById("problem");

  async function openDraft() {
    openProblem.hidden = true;
    openStatus.textContent = "Opening the draft…";
    const response = await fetch("/curate/review/" + openForm.dataset.draft + "/page", { headers: authorization() });
    if (!response.ok) {
      const answer = await answerOf(response);
      openStatus.textContent = "";
      openProblem.textContent = "The draft cannot be shown: " + answer.message;
      openProblem.hidden = false;
      return;
    }
    // parsed apart, then moved in: nothing of it runs (and the server escaped it all)
    const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
    holder.replaceChildren.apply(holder, Array.from(parsed.body.childNodes));
    const body = holder.querySelector(".draft-body");
    if (body) document.getElementById("draft-title").textContent = body.dataset.title;
    openStatus.textContent = "";
    // opened: the token is kept for submitting, and no longer asked for
    openForm.hidden = true;
    document.getElementById("open-help").hidden = true;
    review();
  }

  openForm.addEventListener("submit", function (event) { event.preventDefault(); openDraft(); });
  if (token.value) openDraft();

  // ---------------------------------------------------------------- the review
  function review() {
    const submitForm = document.getElementById("submit-form");
    const status = document.getElementById("status");
    const cards = Array.from(document.querySelectorAll(".fact-card"));

    function setState(card, state) {
      card.dataset.state = state;
      card.querySelector(".state-text").textContent = state;
      card.querySelector(".accept").setAttribute("aria-pressed", String(state === "accepted"));
      card.querySelector(".reject").setAttribute("aria-pressed", String(state === "rejected"));
    }

    // a picker shows a name; the IRI of the name chosen is kept in data-iri
    function optionsOf(input) {
      const found = new Map();
      const list = document.getElementById(input.getAttribute("list"));
      if (list) list.querySelectorAll("option").forEach(function (o) { found.set(o.value, o.dataset.iri); });
      return found;
    }

    function pick(input) {
      const text = input.value.trim();
      const help = document.getElementById(input.id + "-help");
      let iri = null;
      if (!text) iri = "";
      else if (optionsOf(input).has(text)) iri = optionsOf(input).get(text);
      else if (text === input.dataset.shown) iri = input.dataset.original;
      else if (/^https?:\/\/\S+$/.test(text)) iri = text;  // an IRI pasted: taken as it is
      if (iri === null) {
        input.setAttribute("aria-invalid", "true");
        help.textContent = "no entity of that name in the list: choose one of its names";
        input.dataset.iri = "";
        return;
      }
      input.removeAttribute("aria-invalid");
      input.dataset.iri = iri;
      help.textContent = iri || "type a name and choose it from the list";
    }

    cards.forEach(function (card) {
      // a second press of the same button takes the decision back
      card.querySelector(".accept").addEventListener("click", function () {
        setState(card, card.dataset.state === "accepted" ? "undecided" : "accepted");
      });
      card.querySelector(".reject").addEventListener("click", function () {
        setState(card, card.dataset.state === "rejected" ? "undecided" : "rejected");
      });
      const label = card.querySelector(".edit-label");
      label.addEventListener("input", function () {
        card.querySelector(".fact-label").textContent = label.value;
      });
      card.querySelectorAll(".edit-entity").forEach(function (input) {
        input.dataset.original = input.dataset.iri;
        input.addEventListener("input", function () { pick(input); });
        input.addEventListener("change", function () { pick(input); });
      });
    });

    function valueOf(card, selector) {
      const input = card.querySelector(selector);
      return input ? input.value.trim() : "";
    }

    function decision(card) {
      const fields = {};
      card.querySelectorAll(".edit-entity").forEach(function (input) {
        (fields[input.dataset.field] = fields[input.dataset.field] || []).push(input.dataset.iri);
      });
      // a choice is sent when the curator changed it: the drafted value stays as drafted
      card.querySelectorAll(".edit-concept").forEach(function (select) {
        if (select.value && select.value !== select.dataset.drafted) fields[select.dataset.field] = select.value;
      });
      const chosen = { index: Number(card.dataset.index), label: valueOf(card, ".edit-label"), fields: fields };
      const status = card.querySelector(".edit-status");
      if (status && status.value && status.value !== status.dataset.drafted) chosen.status = status.value;
      const date = valueOf(card, ".edit-date");
      const end = valueOf(card, ".edit-end");
      if (date) chosen.date = date;
      if (end) chosen.endDate = end;
      return chosen;
    }

    function clearProblems() {
      cards.forEach(function (card) { card.querySelector(".problems").replaceChildren(); });
      document.getElementById("general-problems").replaceChildren();
    }

    function problemList(results) {
      const list = document.createElement("ul");
      list.className = "violations";
      results.forEach(function (r) {
        const item = document.createElement("li");
        const where = r.path ? r.path.split(/[\/#]/).pop() + ": " : "";
        item.textContent = r.severity + ": " + where + r.message + (r.label ? " (" + r.label + ")" : "");
        list.appendChild(item);
      });
      return list;
    }

    function showProblems(answer) {
      Object.keys(answer.facts || {}).forEach(function (index) {
        const card = cards[Number(index)];
        const box = card.querySelector(".problems");
        const heading = document.createElement("p");
        heading.className = "note";
        heading.textContent = "Not accepted by the validation:";
        box.replaceChildren(heading, problemList(answer.facts[index]));
      });
      if ((answer.general || []).length) {
        document.getElementById("general-problems").replaceChildren(problemList(answer.general));
      }
    }

    function showStored(answer) {
      const link = document.createElement("a");
      link.href = answer.location;
      link.textContent = "submission " + answer.id;
      status.replaceChildren("Stored as ", link, " (" + answer.triples + " statements). ");
      Object.keys(answer.iris).forEach(function (index) {
        const card = cards[Number(index)];
        const box = card.querySelector(".problems");
        const stored = document.createElement("p");
        const page = document.createElement("a");
        page.href = answer.pages[index];
        page.textContent = "its page";
        stored.append("Stored: ", page);
        box.replaceChildren(stored);
        card.dataset.state = "stored";
        card.querySelector(".state-text").textContent = "stored";
      });
    }

    submitForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      clearProblems();
      const accepted = cards.filter(function (card) { return card.dataset.state === "accepted"; });
      if (!accepted.length) { status.textContent = "Accept at least one fact first."; return; }
      const unknown = accepted.map(function (card) { return card.querySelector(".edit-entity[aria-invalid=true]"); })
        .filter(Boolean);
      if (unknown.length) {
        status.textContent = "Not submitted: “" + unknown[0].value + "” is no name in the list; choose one.";
        unknown[0].closest("details").open = true;
        unknown[0].focus();
        return;
      }
      status.textContent = "Submitting " + accepted.length + " facts…";
      const body = JSON.stringify({ facts: accepted.map(decision), comment: document.getElementById("comment").value });
      const headers = authorization();
      headers["Content-Type"] = "application/json";
      const response = await fetch("/curate/review/" + submitForm.dataset.draft + "/submit", { method: "POST", body: body, headers: headers });
      const answer = await answerOf(response);
      if (response.status === 201) { showStored(answer); return; }
      if (response.status === 409) { status.textContent = "Not stored again: " + answer.message; return; }
      if (response.status === 422) {
        status.textContent = "Not stored: " + answer.summary + ". The problems are shown with their facts.";
        showProblems(answer);
        return;
      }
      status.textContent = "Not stored: " + answer.message;
    });
  }
}());
