// The timeline's filters apply as soon as one changes (issue #15): the form stays a plain GET
// form, so without script the Show button does the same and the address is a permalink;
// here the filters left at "all" are left out of the address.
"use strict";
(function () {
  const form = document.getElementById("timeline-filters");
  if (!form) return;
  for (const select of form.querySelectorAll("select")) {
    select.addEventListener("change", () => {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (value) params.append(name, String(value));
      }
      const query = params.toString();
      window.location.assign(form.action + (query ? "?" + query : ""));
    });
  }
})();
