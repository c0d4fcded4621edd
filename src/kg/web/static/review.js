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

  // ---------------------------------------------------------------- the review page
  const submitForm = document.getElementById("submit-form");
  if (!submitForm) return;
  const cards = Array.from(document.querySelectorAll(".fact-card"));

  function setState(card, state) {
    card.dataset.state = state;
    card.querySelector(".state-text").textContent = state;
    card.querySelector(".accept").setAttribute("aria-pressed", String(state === "accepted"));
    card.querySelector(".reject").setAttribute("aria-pressed", String(state === "rejected"));
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
  });

  function valueOf(card, selector) {
    const input = card.querySelector(selector);
    return input ? input.value.trim() : "";
  }

  function decision(card) {
    const fields = {};
    card.querySelectorAll(".edit-entity").forEach(function (input) {
      (fields[input.dataset.field] = fields[input.dataset.field] || []).push(input.value.trim());
    });
    const chosen = { index: Number(card.dataset.index), label: valueOf(card, ".edit-label"), fields: fields };
    const status = valueOf(card, ".edit-status");
    if (status) chosen.status = status;
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
    status.textContent = "Submitting " + accepted.length + " facts…";
    const body = JSON.stringify({ facts: accepted.map(decision), comment: document.getElementById("comment").value });
    const headers = authorization();
    headers["Content-Type"] = "application/json";
    const response = await fetch("/curate/review/" + submitForm.dataset.draft + "/submit", { method: "POST", body: body, headers: headers });
    const answer = await answerOf(response);
    if (response.status === 201) { showStored(answer); return; }
    if (response.status === 422) {
      status.textContent = "Not stored: " + answer.summary + ". The problems are shown with their facts.";
      showProblems(answer);
      return;
    }
    status.textContent = "Not stored: " + answer.message;
  });
}());
