// A document's page (issue #15): the quote a link leads to (#q-<start>-<end>) is outlined in
// every run of the text it covers, not only the first (quotes overlap, and two may start at
// one offset, so CSS's :target alone cannot reach them).
"use strict";
(function () {
  function outline() {
    for (const mark of document.querySelectorAll("mark.targeted")) {
      mark.classList.remove("targeted");
    }
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (!/^q-\d+-\d+$/.test(id)) return;
    for (const mark of document.querySelectorAll(".document-text mark[data-quotes]")) {
      if (mark.dataset.quotes.split(" ").includes(id)) mark.classList.add("targeted");
    }
  }
  window.addEventListener("hashchange", outline);
  outline();
})();
