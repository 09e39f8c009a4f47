/* The feedback form's only script: save the scorecard as a draft while the interviewer types.
   A change waits for a pause in typing (debounced), then the form's fields, CSRF token included,
   are POSTed to the page's JSON endpoint; one save at a time, and a change made during a save
   is saved after it. Leaving the page sends what is not saved yet. The "Save draft" button does
   the same without this script. Messages come from the page or the server, in the reader's
   language. */
(function () {
  "use strict";
  var form = document.getElementById("feedback-form");
  var status = document.getElementById("draft-status");
  if (!form || !status || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-draft-url");
  var DELAY_MS = 1200;
  var timer = null;
  var saving = false;
  var changedWhileSaving = false;
  var leaving = false;

  function say(text, isError) {
    status.textContent = text || "";
    status.classList.toggle("is-error", Boolean(isError));
  }

  function save() {
    timer = null;
    if (leaving) {
      return;
    }
    if (saving) {
      changedWhileSaving = true;
      return;
    }
    saving = true;
    say(form.getAttribute("data-saving"));
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (body) {
        say(response.ok ? body.message : (body.error || form.getAttribute("data-failed")),
            !response.ok);
      });
    }).catch(function () {
      say(form.getAttribute("data-failed"), true);
    }).then(function () {
      saving = false;
      if (changedWhileSaving) {
        changedWhileSaving = false;
        schedule();
      }
    });
  }

  function schedule() {
    if (timer !== null) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, DELAY_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // Submitting or saving with a button: the form's own POST takes over.
  form.addEventListener("submit", function () {
    leaving = true;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  });
  // Leaving with a change not yet saved: send it on the way out.
  window.addEventListener("pagehide", function () {
    if (timer !== null && navigator.sendBeacon) {
      clearTimeout(timer);
      timer = null;
      navigator.sendBeacon(url, new FormData(form));
    }
  });
}());
